import { z } from "zod";
import { INGEST_MAX_BYTES, INGEST_MAX_ITEMS } from "../ingest-limits.ts";
import { ZUsageLimit } from "./usage.ts";

export { INGEST_MAX_BYTES, INGEST_MAX_ITEMS };

const ZId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w.:-]+$/, "ids may use letters, digits, _ . : -");

/** The largest token count of one span: the int4 column that holds it. */
export const MAX_TOKENS = 2_147_483_647;
/**
 * The largest cost of one span, in USD. The dearest model call today costs tens of dollars, so this leaves four
 * orders of magnitude; and bounded so, no sum of them (a run's total, a month's) comes anywhere near what a float8
 * holds (2^31 spans a run × 10^6 = 2 × 10^15), where 10^308 twice already overflowed it.
 */
export const MAX_COST_USD = 1_000_000;
/** Timestamps are bounded to years that both PostgreSQL and JavaScript dates read the same (proleptic Gregorian). */
const FIRST_MS = Date.parse("0001-01-01T00:00:00Z");
const LAST_MS = Date.parse("9999-12-31T23:59:59.999Z");
/** The furthest UTC offset in use anywhere (Kiribati, +14:00); PostgreSQL would take up to ±15:59. */
const MAX_OFFSET_MINUTES = 14 * 60;
const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(?:Z|([+-])(\d{2}):(\d{2}))$/i;

/**
 * An ISO 8601 timestamp (checked by zod) as the same instant in UTC, its fraction kept to the digit (PostgreSQL
 * keeps microseconds, a JS Date only milliseconds); or why it cannot be stored.
 */
function utcTimestamp(value: string): { utc: string } | { error: string } {
  const [, local, fraction = "", sign, hours, minutes] = ISO.exec(value) ?? [];
  if (!local) return { error: "must be an ISO 8601 timestamp" };
  const offset = sign ? (sign === "-" ? -1 : 1) * (Number(hours) * 60 + Number(minutes)) : 0;
  if (Math.abs(offset) > MAX_OFFSET_MINUTES)
    return { error: `the UTC offset ${sign}${hours}:${minutes} is beyond ±14:00` };
  const ms = Date.parse(`${local}Z`) - offset * 60_000;
  if (!(ms >= FIRST_MS && ms <= LAST_MS)) return { error: "the year must be between 0001 and 9999 (in UTC)" };
  return { utc: `${new Date(ms).toISOString().slice(0, 19)}${fraction}Z` };
}

const ZTime = z.iso.datetime({ offset: true, error: "must be an ISO 8601 timestamp" }).transform((value, ctx) => {
  const time = utcTimestamp(value);
  if ("utc" in time) return time.utc;
  ctx.issues.push({ code: "custom", message: time.error, input: value });
  return z.NEVER;
});
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
  kind: z.enum(["llm", "tool", "code", "http", "custom", "agent"]).default("custom"),
  status: ZStatus.default("running"),
  startedAt: ZTime,
  endedAt: ZTime.nullish(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  config: z.unknown().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  model: z.string().max(200).nullish(),
  inputTokens: z.number().int().min(0).max(MAX_TOKENS, `must be at most ${MAX_TOKENS}`).nullish(),
  outputTokens: z.number().int().min(0).max(MAX_TOKENS, `must be at most ${MAX_TOKENS}`).nullish(),
  costUsd: z.number().min(0).max(MAX_COST_USD, `must be at most ${MAX_COST_USD} (USD, for one span)`).nullish(),
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
