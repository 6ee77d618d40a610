import type { Event, NodeOptions } from "@sentry/node";

type StreamedSpanJSON = Parameters<NonNullable<NodeOptions["beforeSendSpan"]>>[0];

/**
 * What must never leave for the error tracker: credentials in headers, keys and tokens in query strings, and
 * anything posted to the routes that take passwords or hand out keys.
 */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-user-credential-.+)$/i;
const SECRET_PARAM = /key|token|secret|passw|session|credential|auth|signature|^code$/i;
const AUTH_PATH = /^\/api\/(auth|keys)(\/|$)|^\/trpc\/([^?]*,)?auth\./;
/** Attribute names (span data, contexts) that carry a header or a password, however they are prefixed. */
const SECRET_FIELD = /authorization|cookie|x-api-key|x-user-credential|password/i;
/** Echos API keys have a recognisable shape: cut wherever one shows up, in messages or breadcrumbs alike. */
const API_KEY = /echos_[if]_[A-Za-z0-9]{16,}/g;
export const FILTERED = "[Filtered]";

function scrubQuery(query: string): string {
  const params = new URLSearchParams(query);
  for (const name of [...params.keys()]) if (SECRET_PARAM.test(name)) params.set(name, FILTERED);
  return params.toString();
}

/** Works on absolute URLs and on bare paths. */
export function scrubUrl(url: string): string {
  const at = url.indexOf("?");
  if (at < 0) return url;
  const hash = url.indexOf("#", at);
  const query = hash < 0 ? url.slice(at + 1) : url.slice(at + 1, hash);
  return `${url.slice(0, at)}?${scrubQuery(query)}${hash < 0 ? "" : url.slice(hash)}`;
}

function pathOf(url: string | undefined): string {
  if (!url) return "";
  try {
    return new URL(url, "http://localhost").pathname;
  } catch {
    return url.split("?")[0] ?? "";
  }
}

type Headers = Record<string, string | string[] | undefined>;

function scrubHeaders(headers: Headers | undefined): void {
  if (!headers) return;
  for (const name of Object.keys(headers)) if (SECRET_HEADER.test(name)) headers[name] = FILTERED;
}

/** Replaces API keys in every string of a value, in place; depth-limited against cycles. */
function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.replace(API_KEY, FILTERED);
  if (depth > 12 || value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const inner = record[key];
    if (SECRET_FIELD.test(key) && (typeof inner === "string" || Array.isArray(inner))) record[key] = FILTERED;
    else if (typeof inner === "string" && /query(_string)?$/i.test(key))
      record[key] = scrubDeep(scrubQuery(inner.replace(/^\?/, "")));
    else if (typeof inner === "string" && /url|target/i.test(key)) record[key] = scrubDeep(scrubUrl(inner));
    else record[key] = scrubDeep(inner, depth + 1);
  }
  return value;
}

/** For errors and transactions alike; mutates and returns the event. */
export function scrubEvent<E extends Event>(event: E): E {
  const request = event.request;
  if (request) {
    scrubHeaders(request.headers);
    delete request.cookies;
    if (typeof request.query_string === "string") request.query_string = scrubQuery(request.query_string);
    else if (request.query_string) request.query_string = FILTERED;
    const authRoute = AUTH_PATH.test(pathOf(request.url)) || AUTH_PATH.test(event.transaction?.split(" ")[1] ?? "");
    if (request.url) request.url = scrubUrl(request.url);
    if (authRoute && request.data !== undefined) request.data = FILTERED;
  }
  for (const crumb of event.breadcrumbs ?? []) {
    if (crumb.message) crumb.message = scrubUrl(crumb.message);
    if (crumb.data) scrubDeep(crumb.data);
  }
  scrubDeep(event.exception);
  scrubDeep(event.extra);
  scrubDeep(event.contexts);
  scrubDeep(event.spans);
  if (event.message) event.message = event.message.replace(API_KEY, FILTERED);
  if (event.transaction) event.transaction = scrubUrl(event.transaction);
  return event;
}

/** Streamed spans carry the request as attributes (`url.query`, `url.full`, `http.request.header.*`). */
export function scrubSpan(span: StreamedSpanJSON): StreamedSpanJSON {
  span.name = scrubUrl(span.name).replace(API_KEY, FILTERED);
  scrubDeep(span.attributes);
  return span;
}
