import { sql } from "drizzle-orm";
import type { RunComparison, RunWithSpanDetails } from "@shared/schemas/runs.ts";
import type { AppDeps } from "../../deps.ts";
import { rowsOf } from "../../infra/db.ts";
import { notFound } from "../../lib/errors.ts";
import {
  RUN_DETAIL_COLUMNS,
  RUN_SUMMARY_COLUMNS,
  type RunSummaryRow,
  SPAN_DETAIL_COLUMNS,
  SPAN_SUMMARY_COLUMNS,
  type SpanSummaryRow,
  toRunDetail,
  toSpanDetail,
} from "./rows.ts";

/** Spans of each run compared with their payloads; a bigger run is compared on its first spans (and says so). */
export const COMPARE_MAX_SPANS = 500;

type RunRow = RunSummaryRow & { input: unknown; output: unknown; full_error: string | null; metadata: unknown };
type SpanRow = SpanSummaryRow & {
  input: unknown;
  output: unknown;
  config: unknown;
  attributes: unknown;
  full_error: string | null;
};

async function runWithSpanDetails(
  deps: Pick<AppDeps, "database">,
  orgId: string,
  runId: string,
): Promise<RunWithSpanDetails> {
  const [runResult, spanResult] = await Promise.all([
    deps.database.db.execute(sql`select ${RUN_SUMMARY_COLUMNS}, ${RUN_DETAIL_COLUMNS} from runs
      where org_id = ${orgId}::uuid and id = ${runId}`),
    deps.database.db.execute(sql`select ${SPAN_SUMMARY_COLUMNS}, ${SPAN_DETAIL_COLUMNS} from spans
      where org_id = ${orgId}::uuid and run_id = ${runId}
      order by started_at, id limit ${COMPARE_MAX_SPANS + 1}`),
  ]);
  const [row] = rowsOf<RunRow>(runResult);
  if (!row) throw notFound(`Run ${runId} not found`);
  const spans = rowsOf<SpanRow>(spanResult);
  return {
    run: toRunDetail(row),
    spans: spans.slice(0, COMPARE_MAX_SPANS).map(toSpanDetail),
    truncated: spans.length > COMPARE_MAX_SPANS,
  };
}

/** Two runs of the organisation, any workflows, with their spans' inputs and outputs, for a side-by-side view. */
export async function compareRuns(
  deps: Pick<AppDeps, "database">,
  orgId: string,
  a: string,
  b: string,
): Promise<RunComparison> {
  const [left, right] = await Promise.all([runWithSpanDetails(deps, orgId, a), runWithSpanDetails(deps, orgId, b)]);
  return { a: left, b: right };
}
