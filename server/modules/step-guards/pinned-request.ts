import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";

export interface PinnedRequest {
  url: URL;
  /** The already-checked IP address to connect to; no name is looked up again. */
  address: string;
  method: string;
  headers: Headers;
  body: Uint8Array | undefined;
  signal: AbortSignal | null;
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

function decoded(res: IncomingMessage): Readable {
  const encoding = (res.headers["content-encoding"] ?? "").trim().toLowerCase();
  if (encoding === "gzip" || encoding === "x-gzip") return res.pipe(createGunzip());
  if (encoding === "deflate") return res.pipe(createInflate());
  if (encoding === "br") return res.pipe(createBrotliDecompress());
  return res;
}

function toResponse(res: IncomingMessage, url: URL): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const status = res.statusCode ?? 502;
  let body: ReadableStream<Uint8Array> | null = null;
  if (NULL_BODY_STATUS.has(status)) res.resume();
  else {
    const stream = decoded(res);
    // A decoder does not see the socket's errors (an abort mid-body): pass them on so the reader fails.
    if (stream !== res) res.once("error", (error) => stream.destroy(error));
    body = Readable.toWeb(stream) as ReadableStream<Uint8Array>;
  }
  const response = new Response(body, { status, statusText: res.statusMessage ?? "", headers });
  Object.defineProperty(response, "url", { value: url.href });
  return response;
}

/**
 * One HTTP exchange with `address`, keeping the URL's hostname for the Host header and TLS (SNI and certificate
 * check). The body streams; aborting the signal destroys the socket, failing a read in progress.
 */
export function pinnedRequest(call: PinnedRequest): Promise<Response> {
  const { url } = call;
  const secure = url.protocol === "https:";
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const headers: Record<string, string> = {};
  call.headers.forEach((value, key) => (headers[key] = value));
  headers.host ??= url.host;
  if (call.body) headers["content-length"] = String(call.body.byteLength);
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)({
      host: call.address,
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: call.method,
      headers,
      signal: call.signal ?? undefined,
      // A fresh connection each time: a pooled socket is keyed by address, not by the name that was checked.
      agent: false,
      ...(secure && isIP(hostname) === 0 ? { servername: hostname } : {}),
    });
    req.once("response", (res) => resolve(toResponse(res, url)));
    req.once("error", (error) => reject(call.signal?.aborted ? (call.signal.reason as Error) : error));
    req.end(call.body);
  });
}
