import { sql } from "drizzle-orm";
import type {
  ForkNode,
  LlmSpanPlan,
  PlanStep,
  ReplayInfo,
  ReplayedPolicy,
  ReplayPlan,
  ReplayResult,
  StepType,
  StepPolicy,
} from "@shared/schemas/replay.ts";
import { compareSteps, type CompareStep } from "@shared/replay/compare.ts";
import type { Verdict } from "@shared/schemas/runs.ts";
import { hasSideEffects } from "@shared/workflow/define.ts";
import type { SpanDetail } from "@shared/schemas/runs.ts";
import type { AppDeps } from "../../deps.ts";
import { notFound } from "../../lib/errors.ts";
import { rowsOf } from "../../infra/db.ts";
import { RUN_SUMMARY_COLUMNS, type RunSummaryRow, toRunSummary } from "../runs/rows.ts";
import { getRun } from "../runs/service.ts";
import { getWorkflowVersion } from "../workflows/service.ts";
import { answerOf, configNumber, messagesOf, PLAYGROUND_STEP } from "./playground.ts";
import { loadRun, loadWorkflowRecording, runSpans, snapshotOf, stepSpans } from "./recording.ts";
import { ZWorkflowDefinition } from "@shared/workflow/define.ts";

type Deps = Pick<AppDeps, "database" | "store">;

/** Whether a connected runtime can run a tool right now; the runtimes module answers once it is wired in. */
export type RuntimeCheck = (tool: string) => Promise<boolean>;

/** What the Test fix form needs: the steps as defined, as recorded, and how a replay would treat them. */
export async function replayPlan(
  deps: Deps,
  orgId: string,
  runId: string,
  hasRuntime: RuntimeCheck,
): Promise<ReplayPlan> {
  const run = await loadRun(deps, orgId, runId);
  if (run.workflowVersionId) {
    const recording = await loadWorkflowRecording(deps, orgId, runId);
    const steps: PlanStep[] = [];
    for (const step of recording.definition.steps) {
      const { id, type, ...definition } = step;
      const span = recording.steps.get(id);
      steps.push({
        id,
        type,
        definition,
        sideEffects: hasSideEffects(step),
        needsRuntime: type === "tool",
        runtimeConnected: step.type === "tool" ? await hasRuntime(step.tool) : null,
        recorded: span ? snapshotOf(span) : null,
      });
    }
    return {
      mode: "workflow",
      run,
      workflowVersionId: run.workflowVersionId,
      steps,
      spans: llmSpans(recording.spans),
    };
  }
  return { mode: "span", run, spans: llmSpans(await runSpans(deps, orgId, runId)) };
}

/** The LLM calls among a run's spans, as the playground edits them. */
function llmSpans(spans: SpanDetail[]): LlmSpanPlan[] {
  return spans
    .filter((s) => s.kind === "llm")
    .map((s) => ({
      spanId: s.id,
      name: s.name,
      model: s.model,
      messages: messagesOf(s.input),
      temperature: configNumber(s.config, "temperature"),
      maxTokens: configNumber(s.config, "maxTokens", "max_tokens"),
      output: s.output,
      status: s.status,
    }));
}

type ReplayRow = {
  id: string;
  mode: "workflow" | "span";
  parent_run_id: string;
  root_run_id: string;
  fork_step: string;
  overrides: Record<string, unknown>;
  policies: Record<string, StepPolicy>;
  label: string | null;
  number: number | null;
  verdict: Verdict | null;
  verdict_step: string | null;
  executor: "server" | "sdk";
  created_ms: number;
  created_by: string | null;
};

const REPLAY_COLUMNS = sql.raw(`r.id, r.mode, r.parent_run_id, r.root_run_id, r.fork_step, r.overrides, r.policies,
  r.label, r.number, run.verdict, run.verdict_step, r.executor,
  (extract(epoch from r.created_at) * 1000)::float8 as created_ms, u.email as created_by`);

function toReplayInfo(r: ReplayRow): ReplayInfo {
  return {
    id: r.id,
    mode: r.mode,
    parentRunId: r.parent_run_id,
    rootRunId: r.root_run_id,
    forkStep: r.fork_step,
    overrides: r.overrides,
    policies: r.policies,
    label: r.label,
    number: r.number === null ? null : Number(r.number),
    verdict: r.verdict,
    verdictStep: r.verdict_step,
    executor: r.executor,
    createdAt: new Date(Math.round(Number(r.created_ms))).toISOString(),
    createdBy: r.created_by,
  };
}

export async function getReplayInfo(deps: Deps, orgId: string, replayId: string): Promise<ReplayInfo> {
  const result = await deps.database.db.execute(sql`
    select ${REPLAY_COLUMNS} from replays r left join users u on u.id = r.created_by
      left join runs run on run.org_id = r.org_id and run.id = r.id
    where r.org_id = ${orgId}::uuid and r.id = ${replayId}`);
  const [row] = rowsOf<ReplayRow>(result);
  if (!row) throw notFound("Replay not found");
  return toReplayInfo(row);
}

const policyOfSpan = (attributes: Record<string, unknown>): ReplayedPolicy | null =>
  attributes.policy === "live" || attributes.policy === "recorded" || attributes.policy === "held"
    ? attributes.policy
    : null;

/** The replay beside its parent: per step, both snapshots and what changed, and where it first diverged. */
export async function getReplayResult(deps: Deps, orgId: string, replayId: string): Promise<ReplayResult> {
  const replay = await getReplayInfo(deps, orgId, replayId);
  const [{ run }, { run: original }, replaySpans, parentSpans] = await Promise.all([
    getRun(deps, orgId, replayId),
    getRun(deps, orgId, replay.parentRunId),
    runSpans(deps, orgId, replayId),
    runSpans(deps, orgId, replay.parentRunId),
  ]);
  let steps: CompareStep[];
  if (replay.mode === "span") {
    const originalSpan = parentSpans.find((s) => s.id === replay.forkStep) ?? null;
    const replaySpan = replaySpans.find((s) => s.name === PLAYGROUND_STEP) ?? null;
    steps = [
      {
        stepId: originalSpan?.name ?? replay.forkStep,
        type: "llm",
        policy: replaySpan ? "live" : null,
        original: originalSpan ? { ...snapshotOf(originalSpan), output: answerOf(originalSpan.output) } : null,
        replay: replaySpan ? snapshotOf(replaySpan) : null,
      },
    ];
  } else {
    const before = stepSpans(parentSpans);
    const after = stepSpans(replaySpans);
    const order = await stepOrder(deps, orgId, run.workflowVersionId, [...before.keys(), ...after.keys()]);
    steps = order.map((stepId) => {
      const o = before.get(stepId) ?? null;
      const r = after.get(stepId) ?? null;
      const type = (r ?? o)?.attributes.stepType;
      return {
        stepId,
        type: typeof type === "string" ? (type as StepType) : null,
        policy: r ? policyOfSpan(r.attributes) : null,
        original: o ? snapshotOf(o) : null,
        replay: r ? snapshotOf(r) : null,
      };
    });
  }
  const compared = compareSteps(steps);
  return { replay, run, original, steps: compared.steps, firstDivergence: compared.firstDivergence };
}

/** Steps in the workflow's order (falling back to the order they were seen in). */
async function stepOrder(deps: Deps, orgId: string, versionId: string | null, seen: string[]): Promise<string[]> {
  const unique = [...new Set(seen)];
  if (!versionId) return unique;
  const version = await getWorkflowVersion(deps, orgId, versionId);
  const parsed = version ? ZWorkflowDefinition.safeParse(version.definition) : null;
  if (!parsed?.success) return unique;
  const defined = parsed.data.steps.map((s) => s.id);
  return [...defined, ...unique.filter((id) => !defined.includes(id))];
}

type ForkRow = RunSummaryRow & {
  parent_run_id: string | null;
  fork_step: string | null;
  label: string | null;
  number: number | null;
  created_by: string | null;
};

/** Every run of the fork tree `runId` belongs to: the run it started from, and each replay with its parent. */
export async function forkTree(deps: Deps, orgId: string, runId: string): Promise<ForkNode[]> {
  const [root] = rowsOf<{ root: string }>(
    await deps.database.db.execute(sql`
      select coalesce((select root_run_id from replays where org_id = ${orgId}::uuid and id = ${runId}), ${runId}) as root`),
  );
  const rootId = root?.root ?? runId;
  const result = await deps.database.db.execute(sql`
    with replay as (select * from replays where org_id = ${orgId}::uuid and root_run_id = ${rootId})
    select ${RUN_SUMMARY_COLUMNS},
      (select parent_run_id from replay where replay.id = runs.id) as parent_run_id,
      (select fork_step from replay where replay.id = runs.id) as fork_step,
      (select label from replay where replay.id = runs.id) as label,
      (select number from replay where replay.id = runs.id) as number,
      (select email from users where users.id = (select created_by from replay where replay.id = runs.id)) as created_by
    from runs
    where runs.org_id = ${orgId}::uuid and (runs.id = ${rootId} or runs.id in (select id from replay))
    order by runs.started_at, runs.id`);
  const rows = rowsOf<ForkRow>(result);
  if (!rows.some((r) => r.id === runId)) throw notFound("Run not found");
  return rows.map((r) => {
    const s = toRunSummary(r);
    return {
      runId: s.id,
      parentRunId: r.parent_run_id,
      forkStep: r.fork_step,
      label: r.label,
      number: r.number === null ? null : Number(r.number),
      verdict: s.verdict,
      verdictStep: s.verdictStep,
      status: s.status,
      startedAt: s.startedAt,
      durationMs: s.durationMs,
      costUsd: s.costUsd,
      createdBy: r.created_by,
    };
  });
}

/** Renames a variant (its fork tree's number stays). */
export async function renameReplay(deps: Deps, orgId: string, replayId: string, label: string): Promise<ReplayInfo> {
  const result = await deps.database.db.execute(sql`
    update replays set label = ${label} where org_id = ${orgId}::uuid and id = ${replayId} returning id`);
  if (rowsOf(result).length === 0) throw notFound("Replay not found");
  return getReplayInfo(deps, orgId, replayId);
}
