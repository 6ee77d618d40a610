import { and, eq, inArray } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { runs, spans } from "../../db/schema.ts";
import type { ErrorBody } from "@shared/schemas/errors.ts";
import { INGEST_MAX_BYTES, INGEST_MAX_ITEMS } from "@shared/schemas/ingest.ts";
import type { AppDeps } from "../deps.ts";
import { badRequest } from "../lib/errors.ts";
import {
  type EventError,
  idsToLookUp,
  readBatch,
  type StoredRows,
  toItems,
} from "../modules/ingest/formats/langfuse-ingestion.ts";
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
      const stored = await storedRows(deps, key.orgId, idsToLookUp(read));
      const { items, eventsOf, errors } = toItems(read, stored);
      const outcome = await ingest(apiKeyDeps(deps, req, key), key.orgId, items);
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

/** What is stored of the spans and runs a batch only updates: their name, kind and start are not in an update. */
async function storedRows(
  deps: AppDeps,
  orgId: string,
  ids: { spans: string[]; runs: string[] },
): Promise<StoredRows> {
  const result: StoredRows = { spans: new Map(), runs: new Map() };
  const { db } = deps.database;
  if (ids.spans.length > 0) {
    const rows = await db
      .select({
        id: spans.id,
        name: spans.name,
        kind: spans.kind,
        startedAt: spans.startedAt,
        status: spans.status,
        runId: spans.runId,
      })
      .from(spans)
      .where(and(eq(spans.orgId, orgId), inArray(spans.id, ids.spans)));
    for (const r of rows) result.spans.set(r.id, { ...r, startedAt: r.startedAt.toISOString() });
  }
  if (ids.runs.length > 0) {
    const rows = await db
      .select({ id: runs.id, name: runs.name, startedAt: runs.startedAt, tags: runs.tags })
      .from(runs)
      .where(and(eq(runs.orgId, orgId), inArray(runs.id, ids.runs)));
    for (const r of rows) result.runs.set(r.id, { ...r, startedAt: r.startedAt.toISOString() });
  }
  return result;
}
