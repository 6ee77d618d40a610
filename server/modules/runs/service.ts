import { type SQL, sql } from "drizzle-orm";
import type {
  Overview,
  OverviewBucket,
  OverviewRange,
  RunDetail,
  SpanDetail,
  SpanSummary,
} from "@shared/schemas/runs.ts";
import type { AppDeps } from "../../deps.ts";
import { notFound } from "../../lib/errors.ts";
import { runsStream } from "./events.ts";
import { rowsOf } from "../../infra/db.ts";
import {
  RUN_DETAIL_COLUMNS,
  RUN_SUMMARY_COLUMNS,
  type RunSummaryRow,
  SPAN_DETAIL_COLUMNS,
  SPAN_SUMMARY_COLUMNS,
  type SpanSummaryRow,
  toRunDetail,
  toRunSummary,
  toSpanDetail,
  toSpanSummary,
} from "./rows.ts";

type Deps = Pick<AppDeps, "database" | "store">;

/** The most spans one request returns; the tree and waterfall are virtualised well beyond this. */
export const MAX_SPANS = 50_000;

/** Values for the filter menus: workflow names and the tags of recent runs. */
export async function runFacets(deps: Deps, orgId: string): Promise<{ workflows: string[]; tags: string[] }> {
  const [workflows, tags] = await Promise.all([
    deps.database.db.execute<{ workflow: string }>(sql`
      select name as workflow from workflows where org_id = ${orgId}::uuid
      union select distinct workflow from runs where org_id = ${orgId}::uuid and workflow is not null
      order by 1`),
    deps.database.db.execute<{ tag: string }>(sql`
      select distinct unnest(tags) as tag
      from (select tags from runs where org_id = ${orgId}::uuid order by started_at desc limit 5000) recent
      order by 1 limit 200`),
  ]);
  return {
    workflows: rowsOf<{ workflow: string }>(workflows).map((r) => r.workflow),
    tags: rowsOf<{ tag: string }>(tags).map((r) => r.tag),
  };
}

/**
 * The steps of a workflow run's definition by position. A workflow's steps often start within one millisecond (a
 * recorded step in a replay takes none), so start time alone cannot order them: each top-level span named after a
 * step gets that step's position as `stepIndex`, which breaks ties in execution order.
 */
function stepIndexes(orgId: string, runId: string): { cte: SQL; column: SQL } {
  return {
    cte: sql`with steps as (
      select e.step ->> 'id' as step_id, (e.ord - 1)::int as step_index
      from runs r join workflow_versions v on v.org_id = r.org_id and v.id = r.workflow_version_id
      cross join lateral jsonb_array_elements(
        case when jsonb_typeof(v.definition -> 'steps') = 'array' then v.definition -> 'steps' else '[]'::jsonb end
      ) with ordinality e(step, ord)
      where r.org_id = ${orgId}::uuid and r.id = ${runId})`,
    column: sql`(select step_index from steps where step_id = spans.name and spans.parent_id is null limit 1)
      as step_index`,
  };
}

export async function getRun(
  deps: Deps,
  orgId: string,
  runId: string,
): Promise<{ run: RunDetail; spans: SpanSummary[]; truncated: boolean; eventId: string }> {
  const eventId = await deps.store.lastId(runsStream(orgId));
  const steps = stepIndexes(orgId, runId);
  const [runResult, spanResult] = await Promise.all([
    deps.database.db.execute<
      RunSummaryRow & { input: unknown; output: unknown; full_error: string; metadata: unknown }
    >(
      sql`select ${RUN_SUMMARY_COLUMNS}, ${RUN_DETAIL_COLUMNS} from runs
          where org_id = ${orgId}::uuid and id = ${runId}`,
    ),
    deps.database.db.execute<SpanSummaryRow>(sql`${steps.cte}
      select ${SPAN_SUMMARY_COLUMNS}, ${steps.column} from spans where org_id = ${orgId}::uuid and run_id = ${runId}
      order by started_at, id limit ${MAX_SPANS + 1}`),
  ]);
  const [row] = rowsOf<RunSummaryRow & { input: unknown; output: unknown; full_error: string; metadata: unknown }>(
    runResult,
  );
  if (!row) throw notFound("Run not found");
  const spans = rowsOf<SpanSummaryRow>(spanResult);
  return {
    run: toRunDetail(row),
    spans: spans.slice(0, MAX_SPANS).map(toSpanSummary),
    truncated: spans.length > MAX_SPANS,
    eventId,
  };
}

/** The spans of one run with these ids (what a live event names). */
export async function spansByIds(deps: Deps, orgId: string, runId: string, ids: string[]): Promise<SpanSummary[]> {
  if (ids.length === 0) return [];
  const steps = stepIndexes(orgId, runId);
  const result = await deps.database.db.execute<SpanSummaryRow>(sql`${steps.cte}
    select ${SPAN_SUMMARY_COLUMNS}, ${steps.column} from spans
    where org_id = ${orgId}::uuid and run_id = ${runId} and id = any(${sql.param(ids)}::text[])`);
  return rowsOf<SpanSummaryRow>(result).map(toSpanSummary);
}

export async function getSpan(deps: Deps, orgId: string, runId: string, spanId: string): Promise<SpanDetail> {
  const result = await deps.database.db.execute<SpanSummaryRow & Record<string, unknown>>(sql`
    select ${SPAN_SUMMARY_COLUMNS}, ${SPAN_DETAIL_COLUMNS} from spans
    where org_id = ${orgId}::uuid and run_id = ${runId} and id = ${spanId}`);
  const [row] = rowsOf<
    SpanSummaryRow & { input: unknown; output: unknown; config: unknown; attributes: unknown; full_error: string }
  >(result);
  if (!row) throw notFound("Span not found");
  return toSpanDetail(row);
}

const RANGES: Record<OverviewRange, { spanMs: number; bucketMs: number }> = {
  "24h": { spanMs: 24 * 3600_000, bucketMs: 3600_000 },
  "7d": { spanMs: 7 * 24 * 3600_000, bucketMs: 6 * 3600_000 },
  "30d": { spanMs: 30 * 24 * 3600_000, bucketMs: 24 * 3600_000 },
};

type StatsRow = {
  t_ms: number | null;
  runs: number | string;
  errors: number | string;
  p50: number | null;
  p95: number | null;
  input_tokens: number | string | null;
  output_tokens: number | string | null;
  cost_usd: number | null;
  unpriced: number | string | null;
};

/**
 * Sums that cannot overflow, whatever rows are stored (ingest bounds what it writes, but rows from before the bounds
 * may hold 1e308 or Infinity): tokens are int8, summed as numeric; cost is summed as numeric too, then capped where a
 * float8 and JSON can still carry it.
 */
const STATS_COLUMNS = sql.raw(`count(*) as runs, count(*) filter (where status = 'error') as errors,
  percentile_cont(0.5) within group (order by extract(epoch from ended_at - started_at) * 1000) as p50,
  percentile_cont(0.95) within group (order by extract(epoch from ended_at - started_at) * 1000) as p95,
  coalesce(sum(input_tokens), 0) as input_tokens, coalesce(sum(output_tokens), 0) as output_tokens,
  least(coalesce(sum(cost_usd::numeric), 0), 1e308)::float8 as cost_usd,
  coalesce(sum(unpriced_count), 0) as unpriced`);

function toBucket(t: number, r: StatsRow | undefined): OverviewBucket {
  const round = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(Number(v)));
  return {
    t: new Date(t).toISOString(),
    runs: Number(r?.runs ?? 0),
    errors: Number(r?.errors ?? 0),
    p50Ms: round(r?.p50),
    p95Ms: round(r?.p95),
    inputTokens: Number(r?.input_tokens ?? 0),
    outputTokens: Number(r?.output_tokens ?? 0),
    costUsd: Number(r?.cost_usd ?? 0),
    unpricedCount: Number(r?.unpriced ?? 0),
  };
}

/** How many failed runs the Overview lists under "Needs attention". */
export const NEEDS_ATTENTION = 5;

/**
 * Production runs per bucket over the range, with error count, latency percentiles of finished runs, tokens and cost;
 * empty buckets included so charts keep their time axis. Totals are computed over the whole range, not summed
 * buckets. Replays (`replay_of` set) are experiments on recorded runs, not traffic: they are only counted, apart.
 */
export async function overview(deps: Deps, orgId: string, range: OverviewRange, now = Date.now()): Promise<Overview> {
  const { spanMs, bucketMs } = RANGES[range];
  const end = Math.ceil(now / bucketMs) * bucketMs;
  const start = end - spanMs;
  const inRange = sql`org_id = ${orgId}::uuid and started_at >= ${new Date(start).toISOString()}::timestamptz`;
  const where = sql`${inRange} and replay_of is null`;
  const [bucketResult, totalResult, failedResult, replayResult] = await Promise.all([
    deps.database.db.execute<StatsRow>(sql`
      select (extract(epoch from date_bin(${`${bucketMs / 1000} seconds`}::interval, started_at, 'epoch'::timestamptz))
        * 1000)::float8 as t_ms, ${STATS_COLUMNS}
      from runs where ${where} group by 1 order by 1`),
    deps.database.db.execute<StatsRow>(sql`select null as t_ms, ${STATS_COLUMNS} from runs where ${where}`),
    deps.database.db.execute<RunSummaryRow>(sql`
      select ${RUN_SUMMARY_COLUMNS} from runs where ${where} and status = 'error'
      order by started_at desc, id desc limit ${NEEDS_ATTENTION}`),
    deps.database.db.execute<{ replays: number | string }>(
      sql`select count(*) as replays from runs where ${inRange} and replay_of is not null`,
    ),
  ]);
  const byBucket = new Map(rowsOf<StatsRow>(bucketResult).map((r) => [Number(r.t_ms), r]));
  const buckets: OverviewBucket[] = [];
  for (let t = start; t < end; t += bucketMs) buckets.push(toBucket(t, byBucket.get(t)));
  return {
    range,
    bucketMs,
    buckets,
    totals: toBucket(start, rowsOf<StatsRow>(totalResult)[0]),
    needsAttention: rowsOf<RunSummaryRow>(failedResult).map(toRunSummary),
    replays: Number(rowsOf<{ replays: number | string }>(replayResult)[0]?.replays ?? 0),
  };
}
