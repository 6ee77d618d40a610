import type { FastifyInstance } from "fastify";
import type { ErrorBody } from "@shared/schemas/errors.ts";
import { TRPC_MAX_BATCH_CALLS } from "@shared/trpc-limits.ts";

/**
 * Refuses a tRPC batch of more than TRPC_MAX_BATCH_CALLS calls before anything is read or run: one request of a
 * hundred heavy calls was a hundred times the work the rate limiter counted. tRPC's own `maxBatchSize` says only
 * "Batch call exceeds maximum size"; this answer names the limit and the size sent.
 */
export function registerTrpcBatchLimit(app: FastifyInstance): void {
  app.addHook("onRequest", (req, reply, done) => {
    if (!req.url.startsWith("/trpc/")) return done();
    const queryAt = req.url.indexOf("?");
    if (queryAt < 0 || !new URLSearchParams(req.url.slice(queryAt + 1)).has("batch")) return done();
    const calls = req.url.slice("/trpc/".length, queryAt).split(",").length;
    if (calls <= TRPC_MAX_BATCH_CALLS) return done();
    void reply.code(400).send({
      statusCode: 400,
      error: "Bad Request",
      message: `A batch may hold at most ${TRPC_MAX_BATCH_CALLS} calls; this one has ${calls}. Send them in smaller batches.`,
    } satisfies ErrorBody);
  });
}
