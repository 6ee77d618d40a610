/**
 * Domain errors thrown by services. The transport layers (tRPC error formatter, Fastify error handler) map them
 * to status codes; services never know about HTTP.
 */
export class DomainError extends Error {
  constructor(
    readonly kind:
      "bad_request" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "too_many_requests" | "unavailable",
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const badRequest = (message: string) => new DomainError("bad_request", message);
export const unauthorized = (message: string) => new DomainError("unauthorized", message);
export const forbidden = (message: string) => new DomainError("forbidden", message);
export const notFound = (message: string) => new DomainError("not_found", message);
export const conflict = (message: string) => new DomainError("conflict", message);
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new DomainError("too_many_requests", message, retryAfterSeconds);

export const unavailable = (message: string, retryAfterSeconds?: number) =>
  new DomainError("unavailable", message, retryAfterSeconds);

/** PostgreSQL's code for a statement cancelled by `statement_timeout`. */
const QUERY_CANCELED = "57014";

/**
 * The domain error an error stands for: itself, or a statement stopped by the database's statement timeout (a
 * query too heavy to answer now, which is no bug of the server's), whether drizzle wrapped it or not.
 */
export function asDomainError(error: unknown): DomainError | null {
  if (error instanceof DomainError) return error;
  const code = (e: unknown) => (e && typeof e === "object" && "code" in e ? e.code : undefined);
  const cause = error instanceof Error ? error.cause : undefined;
  if (code(error) === QUERY_CANCELED || code(cause) === QUERY_CANCELED)
    return unavailable("The query took too long and was stopped; narrow the time range or try again shortly", 5);
  return null;
}

export const HTTP_STATUS: Record<DomainError["kind"], number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many_requests: 429,
  unavailable: 503,
};
