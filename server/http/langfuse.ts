import type { FastifyInstance } from "fastify";
import type { ErrorBody } from "@shared/schemas/errors.ts";
import { INGEST_MAX_BYTES, INGEST_MAX_ITEMS } from "@shared/schemas/ingest.ts";
import type { AppDeps } from "../deps.ts";
import { badRequest } from "../lib/errors.ts";
import { type EventError, readBatch, toItems } from "../modules/ingest/formats/langfuse-ingestion.ts";
import { ingest } from "../modules/ingest/ingest.ts";
import { parseJsonRemovingPrototypeKeys } from "./ingest-json.ts";
import { registerOtlpTraceRoute } from "./otlp.ts";
import { apiKeyDeps } from "./request-deps.ts";
import { requireLangfuseKey } from "./require-api-key.ts";
import { sendLimitReached } from "./usage-limit.ts";

/** The answer of Langfuse's ingestion API, which its SDKs read: one entry per event, in one of the two lists. */
interface IngestionResponse {
  successes: { id: string; status: number }[];
  errors: { id: string; status: number; message: string; error: string }[];
}

/**
 * Langfuse's ingestion endpoints, so a Langfuse SDK sends to Echos with only its base URL and keys changed
 * (HTTP Basic: any public key, the Echos API key as the secret key):
 * - `POST /api/public/otel/v1/traces` — the OTLP route of the v4+ SDKs (`@langfuse/otel`), the `/v1/traces` handler;
 * - `POST /api/public/ingestion` — the batch API of the `langfuse` v2/v3 SDKs: answers 207 with each event's outcome.
 * Langfuse's other APIs (prompts, datasets, scores reads…) are not served: they answer 404.
 */
export function registerLangfuseRoutes(app: FastifyInstance, deps: AppDeps): void {
  registerOtlpTraceRoute(app, deps, "/api/public/otel/v1/traces", (req) => requireLangfuseKey(deps, req));

  void app.register(async (scope) => {
    parseJsonRemovingPrototypeKeys(scope);
    scope.post("/api/public/ingestion", { bodyLimit: INGEST_MAX_BYTES }, async (req, reply) => {
      const key = await requireLangfuseKey(deps, req);
      const batch = (req.body as { batch?: unknown } | null)?.batch;
      if (!Array.isArray(batch)) throw badRequest('The body must be a JSON object with a "batch" array of events');
      if (batch.length > INGEST_MAX_ITEMS) {
        return reply.code(413).send({
          statusCode: 413,
          error: "Payload Too Large",
          message: `A batch holds at most ${INGEST_MAX_ITEMS} events (got ${batch.length}); lower flushAt`,
        } satisfies ErrorBody);
      }
      const read = readBatch(batch);
      const { items, eventsOf, errors, continuing } = toItems(read);
      const outcome = await ingest(apiKeyDeps(deps, req, key), key.orgId, items, { continuing });
      if (outcome.exhausted && outcome.limit) return sendLimitReached(reply, outcome.limit);

      const failed = new Map<number, EventError>(errors.map((e) => [e.index, e]));
      for (const result of outcome.results) {
        if (result.status !== "error") continue;
        for (const index of eventsOf[result.index]!)
          failed.set(index, { index, id: read.eventIds[index]!, status: 400, message: result.error });
      }
      const body: IngestionResponse = { successes: [], errors: [] };
      batch.forEach((_, index) => {
        const error = failed.get(index);
        const id = read.eventIds[index]!;
        if (error) body.errors.push({ id, status: error.status, message: error.message, error: "Invalid event" });
        else body.successes.push({ id, status: 201 });
      });
      return reply.code(207).send(body);
    });
  });
}
