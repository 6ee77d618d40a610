import { TRPCError, initTRPC } from "@trpc/server";
import { ZodError, z } from "zod";
import type { Role } from "@shared/roles.ts";
import { withRequestLog } from "../deps.ts";
import {
  DATABASE_RETRY_AFTER_SECONDS,
  DATABASE_UNAVAILABLE_MESSAGE,
  isDatabaseUnavailable,
  reportDatabaseUnavailable,
} from "../infra/db-availability.ts";
import { DomainError, asDomainError, tooManyRequests } from "../lib/errors.ts";
import { rateLimitKey } from "../http/rate-limit-store.ts";
import { SSE_OPTIONS } from "../modules/live/sse.ts";
import { requireRole } from "../modules/orgs/service.ts";
import type { Context } from "./context.ts";

/**
 * Every procedure declares who may call it, here in its builder: `public`, `authed` (any signed-in user) or
 * `org` with a minimum role. The permission-matrix test reads this and checks it against real calls.
 */
export type Access = { kind: "public" } | { kind: "authed" } | { kind: "org"; minRole: Role };
export interface Meta {
  access: Access;
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    sse: SSE_OPTIONS,
    errorFormatter({ shape, error }) {
      // A domain error's message is written for the caller, and so is a 503 (the database away, a statement timeout);
      // other 5xx are the server's own.
      const internal =
        shape.data.httpStatus >= 500 &&
        shape.data.code !== "SERVICE_UNAVAILABLE" &&
        !(error.cause instanceof DomainError);
      return {
        ...shape,
        // Internals of server errors stay in the log; the client gets a stable, readable message.
        message: internal ? "Internal server error" : shape.message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          // Issues of a rejected input only: a result failing its output schema is the server's own fault.
          zodError: !internal && error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
        },
      };
    },
  });

const TRPC_CODES = {
  bad_request: "BAD_REQUEST",
  unauthorized: "UNAUTHORIZED",
  forbidden: "FORBIDDEN",
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  too_many_requests: "TOO_MANY_REQUESTS",
  unavailable: "SERVICE_UNAVAILABLE",
} as const;

/** One error path: services throw domain errors, this maps them (and an unreachable database) to tRPC codes. */
const domainErrors = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (!result.ok && isDatabaseUnavailable(result.error.cause)) {
    reportDatabaseUnavailable(ctx.deps.log, result.error.cause, { requestId: ctx.requestId, route: `/trpc/${path}` });
    ctx.cookies.retryAfter(DATABASE_RETRY_AFTER_SECONDS);
    throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DATABASE_UNAVAILABLE_MESSAGE });
  }
  const cause = result.ok ? null : asDomainError(result.error.cause);
  if (cause) {
    if (cause.retryAfterSeconds) ctx.cookies.retryAfter(cause.retryAfterSeconds);
    throw new TRPCError({ code: TRPC_CODES[cause.kind], message: cause.message, cause });
  }
  return result;
});

/**
 * PostgreSQL refuses NUL in text and JSON, so a NUL anywhere in an input (a value or a key) would come back from the
 * database as a server error: refused here for every procedure, before any of them runs. A walk with a stack of its
 * own, so a deeply nested input cannot overflow the call stack.
 */
const refuseNul = t.middleware(async ({ getRawInput, next }) => {
  const where = nulPath(await getRawInput());
  if (where !== null)
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `Input must not contain NUL characters (found in ${where.slice(0, 100) || "the input"})`,
    });
  return next();
});

function nulPath(input: unknown): string | null {
  const stack: [unknown, string][] = [[input, ""]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === "string") {
      if (value.includes("\0")) return path;
    } else if (value !== null && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        const childPath = path ? `${path}.${key}` : key;
        if (key.includes("\0")) return path || "a key";
        stack.push([child, childPath]);
      }
    }
  }
  return null;
}

/**
 * Every call of a batch counts against the caller's rate limit, not only the HTTP request that carried it: the
 * limiter (http/security.ts) counted the request, that is the first call; each further call adds one to the same
 * counter here, and a call past the limit is refused on its own (TOO_MANY_REQUESTS in its slot of the batch).
 */
const countBatchedCalls = t.middleware(async ({ ctx, batchIndex, next }) => {
  if (batchIndex > 0 && ctx.ip) {
    const { max, windowMs } = ctx.deps.config.rateLimit;
    const { count, ttlMs } = await ctx.deps.store.increment(rateLimitKey(ctx.ip), windowMs);
    if (count > max)
      throw tooManyRequests(
        `Rate limit exceeded: ${max} calls per ${windowMs / 1000} s, each call of a batch counted`,
        Math.max(1, Math.ceil(ttlMs / 1000)),
      );
  }
  return next();
});

const base = t.procedure.use(domainErrors).use(refuseNul).use(countBatchedCalls);

/** Who did it, for the audit log: the signed-in user and their address. */
export function actorOf(ctx: { session: { userId: string; email: string }; ip?: string }) {
  return { userId: ctx.session.userId, email: ctx.session.email, ip: ctx.ip };
}

/**
 * A procedure's output schema, checked with zod's synchronous `parse`. Given the schema itself, tRPC would call
 * `parseAsync`, which skips zod's compiled object checks: ten times slower on the span list of a 10,000-span run.
 */
export function parseSync<T extends z.ZodType>(schema: T) {
  return (value: unknown): z.output<T> => schema.parse(value);
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = base.meta({ access: { kind: "public" } });

export const authedProcedure = base.meta({ access: { kind: "authed" } }).use(({ ctx, next }) => {
  if (!ctx.session) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  return next({ ctx: { session: ctx.session } });
});

/** Scoped to the organisation named in the input; the caller must be a member with at least `minRole`. */
export function orgProcedure(minRole: Role) {
  return base
    .meta({ access: { kind: "org", minRole } })
    .use(({ ctx, next }) => {
      if (!ctx.session) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
      return next({ ctx: { session: ctx.session } });
    })
    .input(z.object({ orgId: z.uuid("orgId must be an organisation id") }))
    .use(async ({ ctx, input, next }) => {
      const role = await requireRole(ctx.deps, input.orgId, ctx.session.userId, minRole);
      // From here on the request's lines, the services' included, name the organisation too.
      const log = ctx.log.child({ orgId: input.orgId });
      return next({ ctx: { org: { id: input.orgId, role }, log, deps: withRequestLog(ctx.deps, log) } });
    });
}
