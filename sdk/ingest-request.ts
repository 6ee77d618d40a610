import type { ErrorBody } from "../shared/schemas/errors.ts";
import type { IngestResponse, IngestResult } from "../shared/schemas/ingest.ts";
import type { UsageLimit } from "../shared/schemas/usage.ts";

/** What the server says at its usage limit (HTTP 429, or `limit` beside the results of a batch that crossed it). */
export type UsageLimitInfo = Pick<UsageLimit, "error" | "message" | "limit" | "usage" | "resetsAt">;

/** What to do with a batch after one `POST /api/v1/ingest`. */
export type IngestAttempt =
  /** Answered item by item (207): each item is taken or refused on its own. */
  | { kind: "results"; results: IngestResult[]; limit?: UsageLimitInfo }
  /** The organisation is at its monthly limit: nothing is taken until `resetsAt`. */
  | { kind: "limited"; info: UsageLimitInfo }
  /** 413: the request is too large for the server; halves may pass. */
  | { kind: "split"; error: string }
  /** The server refused the request itself (bad key, bad envelope): sending it again would be refused again. */
  | { kind: "refused"; error: string }
  /**
   * Unreachable, timed out, busy (429, 503) or failing (5xx, its `status`): worth another attempt, after
   * `retryAfterMs` if given.
   */
  | { kind: "retry"; error: string; status?: number; retryAfterMs?: number };

const isLimitInfo = (v: unknown): v is UsageLimitInfo =>
  typeof v === "object" && v !== null && (v as { error?: unknown }).error === "usage_limit_reached";

/** `Retry-After` in seconds or as an HTTP date (RFC 9110), in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (header.trim() !== "" && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** The error body's message, or the start of the text when it is not ours (a proxy's page). */
function reasonOf(text: string): { message: string; body: unknown } {
  try {
    const body = JSON.parse(text) as unknown;
    return { message: (body as Partial<ErrorBody> | null)?.message ?? text.slice(0, 300), body };
  } catch {
    return { message: text.slice(0, 300), body: undefined };
  }
}

/** Whether a refusal is about this request (sending it again is pointless) or about the moment (worth waiting). */
function classify(status: number, text: string, retryAfter: number | undefined): IngestAttempt {
  const { message, body } = reasonOf(text);
  const error = `HTTP ${status}: ${message}`;
  if (status === 429 && isLimitInfo(body)) return { kind: "limited", info: body };
  if (status === 413) return { kind: "split", error };
  if (status === 408 || status === 429 || status >= 500)
    return { kind: "retry", error, status, retryAfterMs: retryAfter };
  return { kind: "refused", error };
}

/**
 * One attempt at a batch. The items are already JSON (serialized when queued), so the body is their join. Never
 * throws: a network error or a timeout is an outcome like any other.
 */
export async function postBatch(
  url: string,
  apiKey: string,
  items: readonly string[],
  signal: AbortSignal,
): Promise<IngestAttempt> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": apiKey },
      body: `{"items":[${items.join(",")}]}`,
      signal,
    });
    text = await res.text();
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    // fetch hides the socket's reason (ECONNREFUSED, ECONNRESET) in `cause`.
    const cause = (e.cause as { code?: unknown; message?: unknown } | undefined) ?? {};
    const detail = typeof cause.code === "string" ? cause.code : typeof cause.message === "string" ? cause.message : "";
    return { kind: "retry", error: detail ? `${e.message} (${detail})` : e.message };
  }
  if (res.status !== 207 && !res.ok) return classify(res.status, text, retryAfterMs(res.headers.get("retry-after")));
  try {
    const body = JSON.parse(text) as IngestResponse;
    if (!Array.isArray(body.results)) throw new Error("no results");
    return { kind: "results", results: body.results, limit: isLimitInfo(body.limit) ? body.limit : undefined };
  } catch {
    // A success without our answer (a proxy's page): whether the items arrived is unknown, and resending is safe.
    return { kind: "retry", error: `HTTP ${res.status} without an ingest answer: ${text.slice(0, 200)}` };
  }
}
