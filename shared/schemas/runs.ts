import { z } from "zod";

/**
 * What the dashboard reads: runs, spans, conversations and the live events that keep them current, and the filters
 * of the Runs view. Results are checked against these schemas on every call, so they stay shallow: timestamps the
 * server wrote itself are plain strings, and the payloads of runs and spans are `z.unknown()`.
 */

export const RUN_STATUSES = ["running", "success", "error"] as const;
export const ZRunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof ZRunStatus>;
/** A finished replay against the run it replays (shared/replay/verdict.ts says how each is reached). */
export const VERDICTS = ["fixed", "still_failing", "changed", "unchanged", "interrupted"] as const;
export const ZVerdict = z.enum(VERDICTS);
export type Verdict = z.infer<typeof ZVerdict>;
export const SPAN_KINDS = ["llm", "tool", "code", "http", "custom", "agent"] as const;
export const ZSpanKind = z.enum(SPAN_KINDS);
export type SpanKind = z.infer<typeof ZSpanKind>;

/** A run as the list shows it. `seq` grows with every change of the row: the newer of two copies wins. */
export const ZRunSummary = z.object({
  id: z.string(),
  seq: z.number(),
  name: z.string(),
  status: ZRunStatus,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  workflow: z.string().nullable(),
  workflowVersionId: z.string().nullable(),
  tags: z.array(z.string()),
  conversationId: z.string().nullable(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
  spanCount: z.number(),
  errorCount: z.number(),
  /** Model calls (a model and tokens) with no known price: `costUsd` leaves them out. */
  unpricedCount: z.number(),
  /** The first 300 characters of the run's error. */
  error: z.string().nullable(),
  /** A finished replay's verdict against the run it replays (see shared/replay/verdict.ts); null otherwise. */
  verdict: ZVerdict.nullable(),
  /** Where a replay still fails, or first changed. */
  verdictStep: z.string().nullable(),
  /** For a replay, the run it replays; null for a production run. */
  replayOf: z.string().nullable(),
});
export type RunSummary = z.infer<typeof ZRunSummary>;

export const ZRunDetail = ZRunSummary.extend({
  input: z.unknown(),
  output: z.unknown(),
  /** The whole error. */
  error: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
});
export type RunDetail = z.infer<typeof ZRunDetail>;

/** A span without its payloads: enough for the tree and the waterfall of a 10,000-span run. */
export const ZSpanSummary = z.object({
  id: z.string(),
  runId: z.string(),
  parentId: z.string().nullable(),
  name: z.string(),
  kind: ZSpanKind,
  status: ZRunStatus,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  model: z.string().nullable(),
  inputTokens: z.number().nullable(),
  outputTokens: z.number().nullable(),
  costUsd: z.number().nullable(),
  error: z.string().nullable(),
  /**
   * For a top-level span of a workflow run named after one of its steps: that step's position in the workflow, which
   * orders spans that started in the same millisecond.
   */
  stepIndex: z.number().nullable().optional(),
});
export type SpanSummary = z.infer<typeof ZSpanSummary>;

export const ZSpanDetail = ZSpanSummary.extend({
  input: z.unknown(),
  output: z.unknown(),
  config: z.unknown(),
  attributes: z.record(z.string(), z.unknown()),
});
export type SpanDetail = z.infer<typeof ZSpanDetail>;

/** Live events of an organisation's runs; `id` is the event id a reconnecting client resumes from. */
export const ZRunsEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("runs"), runs: z.array(ZRunSummary) }),
  z.object({ type: z.literal("reset") }),
]);
export type RunsEvent = z.infer<typeof ZRunsEvent>;
/** Live events of one run: its summary and the spans that changed. */
export const ZRunEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("run"), run: ZRunSummary, spans: z.array(ZSpanSummary) }),
  z.object({ type: z.literal("reset") }),
]);
export type RunEvent = z.infer<typeof ZRunEvent>;

const ZTime = z.iso.datetime({ offset: true, error: "must be an ISO 8601 timestamp" });

/** Which runs a list shows: production runs (the default), replays, or both. */
export const RUN_ORIGINS = ["production", "replays", "all"] as const;
export const ZRunOrigin = z.enum(RUN_ORIGINS);
export type RunOrigin = z.infer<typeof ZRunOrigin>;

export const ZRunFilters = z.object({
  /** Absent = production runs only: replays are not what the agents did in production. */
  origin: ZRunOrigin.optional(),
  status: ZRunStatus.optional(),
  workflow: z.string().max(200).optional(),
  tag: z.string().max(100).optional(),
  from: ZTime.optional(),
  to: ZTime.optional(),
  /** Words matched against the run's id, name, conversation, error, input and output (prefix match per word). */
  q: z.string().max(200).optional(),
});
export type RunFilters = z.infer<typeof ZRunFilters>;

/** Columns the Runs list sorts by; ties are broken by id, so every order is total and pages never overlap. */
export const RUN_SORTS = ["started", "duration", "tokens", "cost"] as const;
export const ZRunSort = z.enum(RUN_SORTS);
export type RunSort = z.infer<typeof ZRunSort>;
export const ZSortDir = z.enum(["asc", "desc"]);
export type SortDir = z.infer<typeof ZSortDir>;

export const ZRunOrder = z.object({
  sort: ZRunSort.default("started"),
  dir: ZSortDir.default("desc"),
});
export type RunOrder = z.infer<typeof ZRunOrder>;

export const ZRunListInput = ZRunFilters.extend(ZRunOrder.shape).extend({
  cursor: z.string().max(300).nullish(),
  limit: z.number().int().min(1).max(200).default(50),
});

/** A page of the Runs view; `eventId` is where its live stream starts. */
export const ZRunPage = z.object({
  items: z.array(ZRunSummary),
  nextCursor: z.string().nullable(),
  eventId: z.string(),
});
export type RunPage = z.infer<typeof ZRunPage>;

/** Values for the filter menus. */
export const ZRunFacets = z.object({ workflows: z.array(z.string()), tags: z.array(z.string()) });
export type RunFacets = z.infer<typeof ZRunFacets>;

/** One run with the summaries of its spans (at most `MAX_SPANS`; `truncated` when it has more). */
export const ZRunWithSpans = z.object({
  run: ZRunDetail,
  spans: z.array(ZSpanSummary),
  truncated: z.boolean(),
  eventId: z.string(),
});
export type RunWithSpans = z.infer<typeof ZRunWithSpans>;

/** A run with the details of its spans (at most `COMPARE_MAX_SPANS`; `truncated` when it has more). */
export const ZRunWithSpanDetails = z.object({
  run: ZRunDetail,
  spans: z.array(ZSpanDetail),
  truncated: z.boolean(),
});
export type RunWithSpanDetails = z.infer<typeof ZRunWithSpanDetails>;

/** Two runs side by side. */
export const ZRunComparison = z.object({ a: ZRunWithSpanDetails, b: ZRunWithSpanDetails });
export type RunComparison = z.infer<typeof ZRunComparison>;

export const OVERVIEW_RANGES = ["24h", "7d", "30d"] as const;
export const ZOverviewRange = z.enum(OVERVIEW_RANGES);
export type OverviewRange = z.infer<typeof ZOverviewRange>;

export const ZOverviewBucket = z.object({
  /** Start of the bucket (ISO). */
  t: z.string(),
  runs: z.number(),
  errors: z.number(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
  /** Model calls of these runs with no known price, which `costUsd` leaves out. */
  unpricedCount: z.number(),
});
export type OverviewBucket = z.infer<typeof ZOverviewBucket>;

export const ZOverview = z.object({
  range: ZOverviewRange,
  bucketMs: z.number(),
  buckets: z.array(ZOverviewBucket),
  /** Over production runs only: replays are counted apart, in `replays`. */
  totals: ZOverviewBucket,
  /** The latest failed production runs of the range, newest first: what needs attention. */
  needsAttention: z.array(ZRunSummary),
  /** Replays started in the range, which the numbers above leave out. */
  replays: z.number(),
});
export type Overview = z.infer<typeof ZOverview>;

export const ZTranscriptRole = z.enum(["system", "user", "assistant", "tool"]);
export type TranscriptRole = z.infer<typeof ZTranscriptRole>;
export const ZTranscriptMessage = z.object({
  role: ZTranscriptRole,
  content: z.string(),
  at: z.string(),
  runId: z.string(),
  spanId: z.string(),
  /** Set on the assistant's turns: the model that spoke. */
  model: z.string().nullable().optional(),
});
export type TranscriptMessage = z.infer<typeof ZTranscriptMessage>;

export const ZConversationSummary = z.object({
  id: z.string(),
  runCount: z.number(),
  errorCount: z.number(),
  firstAt: z.string(),
  lastAt: z.string(),
  summary: z.string().nullable(),
  summarySource: z.enum(["llm", "extractive"]).nullable(),
  summarizedAt: z.string().nullable(),
});
export type ConversationSummary = z.infer<typeof ZConversationSummary>;
