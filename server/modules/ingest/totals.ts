import { sql } from "drizzle-orm";
import type { RunSummary } from "@shared/schemas/runs.ts";
import type { Db } from "../../infra/db.ts";
import { rowsOf } from "../../infra/db.ts";
import { RUN_SUMMARY_COLUMNS, type RunSummaryRow, toRunSummary } from "../runs/rows.ts";
import type { Contribution, SpanChange } from "./spans-write.ts";

interface Delta {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  spans: number;
  errors: number;
  unpriced: number;
}

const zero = (): Delta => ({ inputTokens: 0, outputTokens: 0, costUsd: 0, spans: 0, errors: 0, unpriced: 0 });

function add(delta: Delta, c: Contribution, sign: 1 | -1) {
  delta.inputTokens += sign * c.inputTokens;
  delta.outputTokens += sign * c.outputTokens;
  delta.costUsd += sign * c.costUsd;
  delta.spans += sign;
  delta.errors += c.error ? sign : 0;
  delta.unpriced += c.unpriced ? sign : 0;
}

/** What the changed spans add to each run's totals: their contribution now, less what they contributed before. */
export function totalsDelta(changes: SpanChange[]): Map<string, Delta> {
  const deltas = new Map<string, Delta>();
  const of = (runId: string) => deltas.get(runId) ?? deltas.set(runId, zero()).get(runId)!;
  for (const change of changes) {
    if (change.before) add(of(change.before.runId), change.before, -1);
    add(of(change.after.runId), change.after, 1);
  }
  return deltas;
}

/**
 * Adds the deltas to the runs' totals and moves every touched run to a new `seq` (the row lock orders concurrent
 * batches of one run, so a later copy always carries a higher seq); returns their summaries. Totals are kept by
 * adding what changed rather than summing the run's spans again: the cost of a batch does not grow with its run,
 * and concurrent batches of one run each add their own part.
 */
export async function applyTotals(
  tx: Db,
  orgId: string,
  runIds: Iterable<string>,
  deltas: Map<string, Delta>,
): Promise<RunSummary[]> {
  const ids = [...new Set([...runIds, ...deltas.keys()])].sort();
  if (ids.length === 0) return [];
  const d = ids.map((id) => deltas.get(id) ?? zero());
  const result = await tx.execute<RunSummaryRow>(sql`
    update runs r set
      input_tokens = r.input_tokens + d.add_input_tokens, output_tokens = r.output_tokens + d.add_output_tokens,
      cost_usd = r.cost_usd + d.add_cost_usd, span_count = r.span_count + d.add_spans,
      error_count = r.error_count + d.add_errors, unpriced_count = r.unpriced_count + d.add_unpriced,
      seq = nextval(pg_get_serial_sequence('runs', 'seq'))
    from unnest(${sql.param(ids)}::text[], ${sql.param(d.map((x) => x.inputTokens))}::int8[],
      ${sql.param(d.map((x) => x.outputTokens))}::int8[], ${sql.param(d.map((x) => x.costUsd))}::float8[],
      ${sql.param(d.map((x) => x.spans))}::int4[], ${sql.param(d.map((x) => x.errors))}::int4[],
      ${sql.param(d.map((x) => x.unpriced))}::int4[])
      as d(run_id, add_input_tokens, add_output_tokens, add_cost_usd, add_spans, add_errors, add_unpriced)
    where r.org_id = ${orgId}::uuid and r.id = d.run_id
    returning ${RUN_SUMMARY_COLUMNS}`);
  return rowsOf<RunSummaryRow>(result).map(toRunSummary);
}

/** Conversations of the touched runs: counts and time span recomputed, and their summary marked as due. */
export async function refreshConversations(tx: Db, orgId: string, conversationIds: string[]): Promise<void> {
  if (conversationIds.length === 0) return;
  await tx.execute(sql`
    insert into conversations (org_id, id, run_count, error_count, first_at, last_at, activity_at, summary_due)
    select org_id, conversation_id, count(*), count(*) filter (where status = 'error'), min(started_at),
      max(coalesce(ended_at, started_at)), now(), true
    from runs where org_id = ${orgId}::uuid and conversation_id = any(${sql.param(conversationIds)}::text[])
    group by org_id, conversation_id
    order by conversation_id collate "C"
    on conflict (org_id, id) do update set run_count = excluded.run_count, error_count = excluded.error_count,
      first_at = excluded.first_at, last_at = excluded.last_at, activity_at = now(), summary_due = true,
      summary_attempts = 0`);
}
