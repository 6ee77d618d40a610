import type { Logger } from "./logger.ts";

/** What a client reads when the database cannot be reached, and how long it is asked to wait before trying again. */
export const DATABASE_UNAVAILABLE_MESSAGE = "The database is unavailable; try again shortly";
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * postgres.js connection failures (its own codes and Node's socket errors) and the SQLSTATEs of a server that is
 * shutting down, starting up or refusing connections. Errors of the query itself (a constraint, a syntax error)
 * are not among them: those stay 4xx/500 as before.
 */
const UNAVAILABLE_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down, in recovery)
  "53300", // too_many_connections
  "08000", // connection_exception
  "08001", // sqlclient_unable_to_establish_sqlconnection
  "08003", // connection_does_not_exist
  "08006", // connection_failure
]);

/**
 * Whether an error (or one it wraps: drizzle wraps the driver's error as `cause`, tRPC wraps that again) says the
 * database could not be reached, rather than that the query was wrong.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return databaseUnavailableCode(error) !== null;
}

/** The code that made `isDatabaseUnavailable` say yes (for the log line: never the query or its parameters). */
export function databaseUnavailableCode(error: unknown): string | null {
  for (
    let e = error, depth = 0;
    e && typeof e === "object" && depth < 6;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return code;
  }
  return null;
}

/**
 * postgres.js 3.4.9 (the newest release) can write to a connection whose socket is already gone, from a
 * `setImmediate`, when the server drops connections under load (porsager/postgres#1154, #1208; the fixes,
 * #1168 and #1209, are unreleased). Nothing can catch it where it happens, so the process entry recognises exactly
 * this error — a TypeError about writing to null, thrown from the driver's `nextWrite` — and keeps running.
 */
export function isDriverNullSocketWrite(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  const firstFrame = error.stack?.split("\n")[1] ?? "";
  return (
    (error.message === "Cannot read properties of null (reading 'write')" ||
      error.message === "null is not an object (evaluating 'socket.write')") &&
    /\bnextWrite\b/.test(firstFrame)
  );
}

/**
 * One warning per outage, not one error per request: the first refused request is logged, the rest are counted,
 * and the count goes with the next warning, at most one every 30 s. Per process, whichever route refused.
 */
const WARN_EVERY_MS = 30_000;
let lastWarnAt = 0;
let suppressed = 0;
export function reportDatabaseUnavailable(log: Logger, error: unknown, context: Record<string, unknown>): void {
  const now = Date.now();
  if (now - lastWarnAt < WARN_EVERY_MS) {
    suppressed++;
    return;
  }
  log.warn("Database unavailable; answering 503 until it returns", {
    ...context,
    code: databaseUnavailableCode(error),
    refusedSinceLastWarning: suppressed,
  });
  lastWarnAt = now;
  suppressed = 0;
}
