import { sql } from "drizzle-orm";
import type { RunDetail, SpanDetail } from "@shared/schemas/runs.ts";
import type { StepSnapshot } from "@shared/schemas/replay.ts";
import { ZWorkflowDefinition, type WorkflowDefinition } from "@shared/workflow/define.ts";
import { isHeldSpan } from "@shared/workflow/held.ts";
import type { RecordedStep } from "@shared/workflow/types.ts";
import type { AppDeps } from "../../deps.ts";
import { badRequest, notFound } from "../../lib/errors.ts";
import { rowsOf } from "../../infra/db.ts";
import {
  RUN_DETAIL_COLUMNS,
  RUN_SUMMARY_COLUMNS,
  type RunSummaryRow,
  SPAN_DETAIL_COLUMNS,
  SPAN_SUMMARY_COLUMNS,
  type SpanSummaryRow,
  toRunDetail,
  toSpanDetail,
} from "../runs/rows.ts";
import { getWorkflowVersion } from "../workflows/service.ts";

type Deps = Pick<AppDeps, "database" | "store">;
type SpanRow = SpanSummaryRow & {
  input: unknown;
  output: unknown;
  config: unknown;
  attributes: unknown;
  full_error: string | null;
};

type RunRow = RunSummaryRow & {
  input: unknown;
  output: unknown;
  full_error: string;
  metadata: unknown;
  replay_of: string | null;
  root_run_id: string;
};
export type LoadedRun = RunDetail & { replayOf: string | null; rootRunId: string };

export function snapshotOf(span: SpanDetail): StepSnapshot {
  const durationMs = span.endedAt ? Date.parse(span.endedAt) - Date.parse(span.startedAt) : null;
  return {
    spanId: span.id,
    status: span.status,
    output: span.output,
    error: span.error,
    model: span.model,
    inputTokens: span.inputTokens,
    outputTokens: span.outputTokens,
    costUsd: span.costUsd,
    durationMs,
    config: span.config,
    input: span.input,
    held: typeof span.attributes.held === "string" ? span.attributes.held : null,
  };
}

/** Every span of a run with its payloads, oldest first. */
export async function runSpans(deps: Deps, orgId: string, runId: string): Promise<SpanDetail[]> {
  const result = await deps.database.db.execute(sql`
    select ${SPAN_SUMMARY_COLUMNS}, ${SPAN_DETAIL_COLUMNS} from spans
    where org_id = ${orgId}::uuid and run_id = ${runId} order by started_at, id`);
  return rowsOf<SpanRow>(result).map(toSpanDetail);
}

/** A workflow run's steps as recorded: the top-level span named after each step (the newest, should it repeat). */
export function stepSpans(spans: SpanDetail[]): Map<string, SpanDetail> {
  const byStep = new Map<string, SpanDetail>();
  for (const span of spans) if (span.parentId === null) byStep.set(span.name, span);
  return byStep;
}

export function recordingOf(steps: Map<string, SpanDetail>): Record<string, RecordedStep> {
  const recording: Record<string, RecordedStep> = {};
  for (const [stepId, span] of steps)
    recording[stepId] = {
      output: span.output,
      status: span.status,
      error: span.error,
      model: span.model,
      inputTokens: span.inputTokens,
      outputTokens: span.outputTokens,
    };
  return recording;
}

/** The run with its replay link and the root of its fork tree, in one query. */
export async function loadRun(deps: Deps, orgId: string, runId: string): Promise<LoadedRun> {
  const result = await deps.database.db.execute(sql`
    select ${RUN_SUMMARY_COLUMNS}, ${RUN_DETAIL_COLUMNS},
      coalesce((select root_run_id from replays where org_id = ${orgId}::uuid and id = ${runId}), id) as root_run_id
    from runs where org_id = ${orgId}::uuid and id = ${runId}`);
  const [row] = rowsOf<RunRow>(result);
  if (!row) throw notFound("Run not found");
  return { ...toRunDetail(row), replayOf: row.replay_of, rootRunId: row.root_run_id };
}

/** A workflow run with the definition it ran and its steps' recorded outputs: everything a replay starts from. */
export interface WorkflowRecording {
  run: LoadedRun;
  definition: WorkflowDefinition;
  steps: Map<string, SpanDetail>;
  /** Every span of the run, oldest first. */
  spans: SpanDetail[];
}

export async function loadWorkflowRecording(deps: Deps, orgId: string, runId: string): Promise<WorkflowRecording> {
  const run = await loadRun(deps, orgId, runId);
  if (!run.workflowVersionId)
    throw badRequest(
      "This run was not recorded from a workflow, so it cannot be replayed from a step; re-run one of its LLM spans in the playground instead",
    );
  const [version, spans] = await Promise.all([
    getWorkflowVersion(deps, orgId, run.workflowVersionId),
    runSpans(deps, orgId, runId),
  ]);
  if (!version)
    throw notFound(
      `Workflow version ${run.workflowVersionId} was never registered with Echos; run it with EchosRuntime (which registers it) to make its runs replayable`,
    );
  const parsed = ZWorkflowDefinition.safeParse(version.definition);
  if (!parsed.success) throw badRequest(`Workflow version ${run.workflowVersionId} is not a valid definition`);
  if (run.status === "running") throw badRequest("This run is still going; replay it once it has finished");
  // A step an earlier replay held was never run: there is nothing recorded to replay it from.
  const steps = stepSpans(spans);
  for (const [stepId, span] of steps) if (isHeldSpan(span.attributes)) steps.delete(stepId);
  return { run, definition: parsed.data, steps, spans };
}
