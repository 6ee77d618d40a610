import { z } from "zod";

/** What the dashboard reads: runs, spans, conversations and the live events that keep them current. */

export const RUN_STATUSES = ["running", "success", "error"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const SPAN_KINDS = ["llm", "tool", "code", "http", "custom"] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];

/** A run as the list shows it. `seq` grows with every change of the row: the newer of two copies wins. */
export interface RunSummary {
  id: string;
  seq: number;
  name: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  workflow: string | null;
  workflowVersionId: string | null;
  tags: string[];
  conversationId: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  spanCount: number;
  errorCount: number;
  /** The first 300 characters of the run's error. */
  error: string | null;
}

export interface RunDetail extends RunSummary {
  input: unknown;
  output: unknown;
  error: string | null;
  metadata: Record<string, unknown>;
}

/** A span without its payloads: enough for the tree and the waterfall of a 10,000-span run. */
export interface SpanSummary {
  id: string;
  runId: string;
  parentId: string | null;
  name: string;
  kind: SpanKind;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  error: string | null;
}

export interface SpanDetail extends SpanSummary {
  input: unknown;
  output: unknown;
  config: unknown;
  attributes: Record<string, unknown>;
}

/** Live events of an organisation's runs; `id` is the event id a reconnecting client resumes from. */
export type RunsEvent = { type: "runs"; runs: RunSummary[] } | { type: "reset" };
/** Live events of one run: its summary and the spans that changed. */
export type RunEvent = { type: "run"; run: RunSummary; spans: SpanSummary[] } | { type: "reset" };

const ZTime = z.iso.datetime({ offset: true, error: "must be an ISO 8601 timestamp" });

export const ZRunFilters = z.object({
  status: z.enum(RUN_STATUSES).optional(),
  workflow: z.string().max(200).optional(),
  tag: z.string().max(100).optional(),
  from: ZTime.optional(),
  to: ZTime.optional(),
  /** Words matched against the run's id, name, conversation, error, input and output (prefix match per word). */
  q: z.string().max(200).optional(),
});
export type RunFilters = z.infer<typeof ZRunFilters>;

export const ZRunListInput = ZRunFilters.extend({
  cursor: z.string().max(300).nullish(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const OVERVIEW_RANGES = ["24h", "7d", "30d"] as const;
export type OverviewRange = (typeof OVERVIEW_RANGES)[number];

export interface OverviewBucket {
  /** Start of the bucket (ISO). */
  t: string;
  runs: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export type TranscriptRole = "system" | "user" | "assistant" | "tool";
export interface TranscriptMessage {
  role: TranscriptRole;
  content: string;
  at: string;
  runId: string;
  spanId: string;
  /** Set on the assistant's turns: the model that spoke. */
  model?: string | null;
}

export interface ConversationSummary {
  id: string;
  runCount: number;
  errorCount: number;
  firstAt: string;
  lastAt: string;
  summary: string | null;
  summarySource: "llm" | "extractive" | null;
  summarizedAt: string | null;
}
