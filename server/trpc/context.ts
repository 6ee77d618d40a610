import type { CreateFastifyContextOptions } from "@trpc/server/adapters/fastify";
import type { AppDeps } from "../deps.ts";
import type { Logger } from "../infra/logger.ts";

export interface InnerContext {
  deps: AppDeps;
  log: Logger;
  requestId: string;
}

/** The context without a request: what tests build to call procedures through `createCaller`. */
export function createInnerContext(deps: AppDeps, opts: { requestId?: string; log?: Logger } = {}): InnerContext {
  const requestId = opts.requestId ?? "internal";
  return { deps, requestId, log: opts.log ?? deps.log.child({ requestId }) };
}

export function contextFactory(deps: AppDeps) {
  return ({ req }: CreateFastifyContextOptions): InnerContext =>
    createInnerContext(deps, { requestId: String(req.id), log: deps.log.child({ requestId: String(req.id) }) });
}

export type Context = InnerContext;
