import { z } from "zod";

export const INGEST_MAX_ITEMS = 1000;
export const INGEST_MAX_BYTES = 5 * 1024 * 1024;

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

export type IngestResult =
  | { index: number; type: "run" | "span"; id: string; status: "created" | "updated" | "unchanged" }
  | { index: number; type?: string; id?: string; status: "error"; error: string };
