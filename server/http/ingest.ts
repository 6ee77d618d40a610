import type { FastifyInstance } from "fastify";
import type { ErrorBody } from "@shared/schemas/errors.ts";
import { INGEST_MAX_BYTES, INGEST_MAX_ITEMS, type IngestResponse, ZIngestBatch } from "@shared/schemas/ingest.ts";
import type { AppDeps } from "../deps.ts";
import { ingest } from "../modules/ingest/ingest.ts";
import { parseJsonRemovingPrototypeKeys } from "./ingest-json.ts";
import { apiKeyDeps } from "./request-deps.ts";
import { requireApiKey } from "./require-api-key.ts";
import { limitBody, sendLimitReached } from "./usage-limit.ts";

/**
 * `POST /api/v1/ingest` — runs and spans from SDKs, authenticated by API key (ingest-only keys suffice).
 * Answers 207 with one result per item, in order; everything acknowledged is committed before the answer.
 * At the month's span limit it answers 429 (limit, usage, reset time, `Retry-After`); a batch that crosses the
 * limit is taken up to it, the rest of its new spans refused per item, and the answer carries `limit` too.
 */
export function registerIngestRoutes(app: FastifyInstance, deps: AppDeps): void {
  // Its own scope, for its JSON parser.
  void app.register(async (scope) => {
    parseJsonRemovingPrototypeKeys(scope);
    scope.post("/api/v1/ingest", { bodyLimit: INGEST_MAX_BYTES }, async (req, reply) => {
      const key = await requireApiKey(deps, req, "ingest");
      const items = (req.body as { items?: unknown } | null)?.items;
      if (Array.isArray(items) && items.length > INGEST_MAX_ITEMS) {
        return reply.code(413).send({
          statusCode: 413,
          error: "Payload Too Large",
          message: `A batch holds at most ${INGEST_MAX_ITEMS} items (got ${items.length}); split it`,
        } satisfies ErrorBody);
      }
      const batch = ZIngestBatch.parse(req.body ?? {});
      const { results, accepted, rejected, limited, limit, exhausted } = await ingest(
        apiKeyDeps(deps, req, key),
        key.orgId,
        batch.items,
      );
      if (exhausted && limit) return sendLimitReached(reply, limit);
      const body = { results, accepted, rejected, limited };
      return reply.code(207).send((limit ? { ...body, limit: limitBody(limit) } : body) satisfies IngestResponse);
    });
  });
}
