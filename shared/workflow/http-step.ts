import { FatalStepError } from "./errors.ts";

export const DEFAULT_HTTP_MAX_BYTES = 1024 * 1024;
const MAX_REDIRECTS = 5;

export interface HttpCall {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  maxBytes: number;
  signal: AbortSignal;
  fetch?: typeof fetch;
  beforeHttp?: (url: URL) => Promise<void>;
}

/** 4xx other than timeouts and rate limits will fail the same way again: not worth a retry. */
export const isPermanentStatus = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

export async function readLimited(res: Response, maxBytes: number): Promise<string> {
  if (Number(res.headers.get("content-length")) > maxBytes)
    throw new FatalStepError(`Response larger than the ${maxBytes}-byte limit`);
  if (!res.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new FatalStepError(`Response larger than the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Fetches with a size limit; redirects are followed by hand so `beforeHttp` vets every hop, not just the first. */
export async function httpRequest(call: HttpCall): Promise<unknown> {
  let method = call.method;
  const headers: Record<string, string> = { ...call.headers };
  let body: string | undefined;
  if (call.body !== undefined && method !== "GET" && method !== "HEAD") {
    body = typeof call.body === "string" ? call.body : JSON.stringify(call.body);
    const hasType = Object.keys(headers).some((h) => h.toLowerCase() === "content-type");
    if (!hasType) headers["content-type"] = typeof call.body === "string" ? "text/plain" : "application/json";
  }
  let url: URL;
  try {
    url = new URL(call.url);
  } catch {
    throw new FatalStepError(`Invalid URL: ${call.url}`);
  }
  for (let hop = 0; ; hop++) {
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new FatalStepError(`Only http and https URLs are allowed, not ${url.protocol}`);
    await call.beforeHttp?.(url);
    const res = await (call.fetch ?? fetch)(url, { method, headers, body, signal: call.signal, redirect: "manual" });
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new FatalStepError(`More than ${MAX_REDIRECTS} redirects`);
      url = new URL(location, url);
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
      }
      continue;
    }
    const text = await readLimited(res, call.maxBytes);
    let parsed: unknown = text;
    if (/\bjson\b/i.test(res.headers.get("content-type") ?? "")) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // Mislabelled body: keep it as text.
      }
    }
    if (!res.ok) {
      const message = `HTTP ${res.status} ${res.statusText} from ${method} ${url.href}: ${text.slice(0, 300)}`;
      throw isPermanentStatus(res.status) ? new FatalStepError(message) : new Error(message);
    }
    return parsed;
  }
}
