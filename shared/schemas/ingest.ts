import { z } from "zod";
import { INGEST_MAX_BYTES, INGEST_MAX_ITEMS } from "../ingest-limits.ts";
import { ZUsageLimit } from "./usage.ts";

export { INGEST_MAX_BYTES, INGEST_MAX_ITEMS };

const ZId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w.:-]+$/, "ids may use letters, digits, _ . : -");
const ZTime = z.iso.datetime({ offset: true, error: "must be an ISO 8601 timestamp" });
const ZStatus = z.enum(["running", "success", "error"]);

export const ZIngestRun = z.object({
  type: z.literal("run"),
  id: ZId,
  name: z.string().min(1).max(300),
  status: ZStatus.default("running"),
  startedAt: ZTime,
  endedAt: ZTime.nullish(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  error: z.string().max(20_000).nullish(),
  tags: z.array(z.string().min(1).max(100)).max(50).optional(),
  conversationId: z.string().max(200).nullish(),
  workflowVersionId: z.string().max(200).nullish(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  /** A replay (`runtime.replay()`): the run it was replayed from, the fork step and what was changed. */
  replayOf: ZId.nullish(),
  replayFromStep: z.string().min(1).max(300).nullish(),
  replay: z
    .object({
      overrides: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
      policies: z.record(z.string(), z.enum(["live", "recorded"])).optional(),
      label: z.string().max(120).nullish(),
    })
    .optional(),
});

export const ZIngestSpan = z.object({
  type: z.literal("span"),
  id: ZId,
  runId: ZId,
  parentId: ZId.nullish(),
  name: z.string().min(1).max(300),
  kind: z.enum(["llm", "tool", "code", "http", "custom"]).default("custom"),
  status: ZStatus.default("running"),
  startedAt: ZTime,
  endedAt: ZTime.nullish(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  config: z.unknown().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  model: z.string().max(200).nullish(),
  inputTokens: z.number().int().min(0).nullish(),
  outputTokens: z.number().int().min(0).nullish(),
  costUsd: z.number().min(0).nullish(),
  error: z.string().max(20_000).nullish(),
});

export const ZIngestItem = z.discriminatedUnion("type", [ZIngestRun, ZIngestSpan]);
export type IngestItem = z.infer<typeof ZIngestItem>;
export type IngestRun = z.infer<typeof ZIngestRun>;
export type IngestSpan = z.infer<typeof ZIngestSpan>;

/** The envelope only; each item is validated on its own so one bad item never sinks its neighbours. */
export const ZIngestBatch = z.object({
  items: z
    .array(z.unknown())
    .min(1, "items must not be empty")
    .max(INGEST_MAX_ITEMS, `at most ${INGEST_MAX_ITEMS} items per request`),
});

/** One item's outcome, by its index in the batch; a refused item's `type` and `id` are what it sent, if anything. */
export const ZIngestResult = z.discriminatedUnion("status", [
  z.object({
    index: z.number(),
    type: z.enum(["run", "span"]),
    id: z.string(),
    status: z.enum(["created", "updated", "unchanged"]),
  }),
  z.object({
    index: z.number(),
    type: z.string().optional(),
    id: z.string().optional(),
    status: z.literal("error"),
    error: z.string(),
  }),
]);
export type IngestResult = z.infer<typeof ZIngestResult>;

/** The 207 of `POST /api/v1/ingest`; `limit` only when the batch crossed the month's span limit. */
export const ZIngestResponse = z.object({
  results: z.array(ZIngestResult),
  accepted: z.number(),
  rejected: z.number(),
  limited: z.number(),
  limit: ZUsageLimit.optional(),
});
export type IngestResponse = z.infer<typeof ZIngestResponse>;

/** The JSON `ExportTraceServiceResponse` of `POST /v1/traces`: empty when every span was taken. */
export const ZOtlpExportResponse = z.object({
  partialSuccess: z.object({ rejectedSpans: z.number(), errorMessage: z.string() }).optional(),
});
export type OtlpExportResponse = z.infer<typeof ZOtlpExportResponse>;
