import type { CreateFastifyContextOptions } from "@trpc/server/adapters/fastify";
import { type AppDeps, withRequestLog } from "../deps.ts";
// Also brings in the declaration of `request.auth`, which programs that reach this file through AppRouter need.
import type { RequestAuth } from "../http/auth.ts";
import type { Logger } from "../infra/logger.ts";
import type { SessionUser } from "../modules/sessions/service.ts";

/** What procedures may do to the HTTP response: the session cookie, and Retry-After on a 429. */
export interface CookieJar {
  setSession(token: string, expiresAt: Date): void;
  clearSession(): void;
  retryAfter(seconds: number): void;
}

export interface InnerContext {
  /** The app's deps with `log` the request's child logger: what procedures hand to services. */
  deps: AppDeps;
  /** This request's child logger: its id, the signed-in user, and the organisation once a procedure checked it. */
  log: Logger;
  requestId: string;
  session: SessionUser | null;
  ip: string | undefined;
  userAgent: string | undefined;
  /** `X-User-Credential-<NAME>` headers of this request only: never stored, never logged. */
  credentials: ReadonlyMap<string, string>;
  cookies: CookieJar;
}

const noCookies: CookieJar = { setSession: () => {}, clearSession: () => {}, retryAfter: () => {} };

/** The context without a request: what tests build to call procedures through `createCaller`. */
export function createInnerContext(deps: AppDeps, opts: Partial<Omit<InnerContext, "deps">> = {}): InnerContext {
  const requestId = opts.requestId ?? "internal";
  let log = opts.log;
  // A winston child logger costs more than a small procedure: made on first use only.
  const requestLog = () => (log ??= deps.log.child({ requestId, userId: opts.session?.userId }));
  return {
    deps: withRequestLog(deps, requestLog),
    requestId,
    get log() {
      return requestLog();
    },
    session: opts.session ?? null,
    ip: opts.ip,
    userAgent: opts.userAgent,
    credentials: opts.credentials ?? new Map(),
    cookies: opts.cookies ?? noCookies,
  };
}

export function contextFactory(deps: AppDeps, cookies: (opts: CreateFastifyContextOptions) => CookieJar) {
  return (opts: CreateFastifyContextOptions): InnerContext => {
    const auth: RequestAuth | undefined = opts.req.auth;
    const requestId = String(opts.req.id);
    return createInnerContext(deps, {
      requestId,
      session: auth?.session ?? null,
      ip: opts.req.ip,
      userAgent: opts.req.headers["user-agent"],
      credentials: auth?.credentials ?? new Map(),
      cookies: cookies(opts),
    });
  };
}

export type Context = InnerContext;
