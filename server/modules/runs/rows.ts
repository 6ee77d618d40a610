import { sql } from "drizzle-orm";
import type {
  RunDetail,
  RunStatus,
  RunSummary,
  Verdict,
  SpanDetail,
  SpanKind,
  SpanSummary,
} from "@shared/schemas/runs.ts";

/**
 * Raw rows → the shapes of shared/schemas/runs.ts. Times are selected as epoch milliseconds and counters as text
 * where needed, so the mapping reads the same on postgres.js and PGlite (they disagree on timestamps and int8).
 */

const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;

export const RUN_SUMMARY_COLUMNS = sql.raw(
  [
    "id",
    "seq::text as seq",
    "name",
    "status",
    `${ms("started_at")} as started_ms`,
    `${ms("ended_at")} as ended_ms`,
    "workflow",
    "workflow_version_id",
    "tags",
    "conversation_id",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "span_count",
    "error_count",
    "unpriced_count",
    "left(error, 300) as error",
    "verdict",
    "verdict_step",
    "replay_of",
  ].join(", "),
);

export const RUN_DETAIL_COLUMNS = sql.raw("input, output, error as full_error, metadata");

export type RunSummaryRow = {
  id: string;
  seq: string | number;
  name: string;
  status: RunStatus;
  started_ms: number;
  ended_ms: number | null;
  workflow: string | null;
  workflow_version_id: string | null;
  tags: string[] | null;
  conversation_id: string | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  span_count: number;
  error_count: number;
  unpriced_count: number;
  error: string | null;
  verdict: Verdict | null;
  verdict_step: string | null;
  replay_of: string | null;
};

const iso = (epochMs: number) => new Date(Math.round(epochMs)).toISOString();

export function toRunSummary(r: RunSummaryRow): RunSummary {
  const started = Number(r.started_ms);
  const ended = r.ended_ms === null ? null : Number(r.ended_ms);
  return {
    id: r.id,
    seq: Number(r.seq),
    name: r.name,
    status: r.status,
    startedAt: iso(started),
    endedAt: ended === null ? null : iso(ended),
    durationMs: ended === null ? null : Math.max(0, Math.round(ended - started)),
    workflow: r.workflow,
    workflowVersionId: r.workflow_version_id,
    tags: r.tags ?? [],
    conversationId: r.conversation_id,
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    costUsd: Number(r.cost_usd),
    spanCount: Number(r.span_count),
    errorCount: Number(r.error_count),
    unpricedCount: Number(r.unpriced_count ?? 0),
    error: r.error,
    verdict: r.verdict ?? null,
    verdictStep: r.verdict_step ?? null,
    replayOf: r.replay_of,
  };
}

export function toRunDetail(
  r: RunSummaryRow & { input: unknown; output: unknown; full_error: string | null; metadata: unknown },
): RunDetail {
  return {
    ...toRunSummary(r),
    input: r.input ?? null,
    output: r.output ?? null,
    error: r.full_error,
    metadata: (r.metadata as Record<string, unknown> | null) ?? {},
  };
}

export const SPAN_SUMMARY_COLUMNS = sql.raw(
  [
    "id",
    "run_id",
    "parent_id",
    "name",
    "kind",
    "status",
    `${ms("started_at")} as started_ms`,
    `${ms("ended_at")} as ended_ms`,
    "model",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "left(error, 300) as error",
  ].join(", "),
);

export const SPAN_DETAIL_COLUMNS = sql.raw("input, output, config, attributes, error as full_error");

export type SpanSummaryRow = {
  id: string;
  run_id: string;
  parent_id: string | null;
  name: string;
  kind: SpanKind;
  status: RunStatus;
  started_ms: number;
  ended_ms: number | null;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  error: string | null;
  /** Selected where execution order is wanted (see `stepIndexes` in the service). */
  step_index?: number | string | null;
};

const numberOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export function toSpanSummary(r: SpanSummaryRow): SpanSummary {
  return {
    id: r.id,
    runId: r.run_id,
    parentId: r.parent_id,
    name: r.name,
    kind: r.kind,
    status: r.status,
    startedAt: iso(Number(r.started_ms)),
    endedAt: r.ended_ms === null ? null : iso(Number(r.ended_ms)),
    model: r.model,
    inputTokens: numberOrNull(r.input_tokens),
    outputTokens: numberOrNull(r.output_tokens),
    costUsd: numberOrNull(r.cost_usd),
    error: r.error,
    ...(r.step_index === undefined ? {} : { stepIndex: numberOrNull(r.step_index) }),
  };
}

export function toSpanDetail(
  r: SpanSummaryRow & {
    input: unknown;
    output: unknown;
    config: unknown;
    attributes: unknown;
    full_error: string | null;
  },
): SpanDetail {
  return {
    ...toSpanSummary(r),
    input: r.input ?? null,
    output: r.output ?? null,
    config: r.config ?? null,
    attributes: (r.attributes as Record<string, unknown> | null) ?? {},
    error: r.full_error,
  };
}
