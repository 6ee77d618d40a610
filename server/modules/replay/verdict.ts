import { sql } from "drizzle-orm";
import type { ReplayedPolicy } from "@shared/schemas/replay.ts";
import { verdictOf, type VerdictStep } from "@shared/replay/verdict.ts";
import { describeReplay } from "@shared/replay/label.ts";
import { ZWorkflowDefinition } from "@shared/workflow/define.ts";
import { type Db, rowsOf } from "../../infra/db.ts";
import { INTERRUPTED } from "./interrupted.ts";
import { answerOf, PLAYGROUND_STEP } from "./playground.ts";

type Finished = {
  id: string;
  mode: "workflow" | "span";
  parent_run_id: string;
  fork_step: string;
  label: string | null;
  overrides: Record<string, unknown>;
  policies: Record<string, string>;
  status: "success" | "error";
  output: unknown;
  error: string | null;
  original_status: "running" | "success" | "error";
  original_output: unknown;
  definition: unknown;
};
type StepRow = {
  run_id: string;
  id: string;
  name: string;
  status: "running" | "success" | "error";
  output: unknown;
  attributes: Record<string, unknown> | null;
};

const policyOf = (attributes: Record<string, unknown> | null): ReplayedPolicy | null => {
  const p = attributes?.policy;
  return p === "live" || p === "recorded" || p === "held" ? p : null;
};

/**
 * Gives each finished replay among `runIds` its verdict against the run it replays (shared/replay/verdict.ts), in the
 * transaction that wrote its last spans or its end — whichever executor ran it (the server, or `runtime.replay()`
 * sending spans like any run). A later batch of the same replay settles it again. Replays recorded without a label
 * (the SDK's) are named here, from their overrides, as the server names its own when they start.
 */
export async function settleVerdicts(tx: Db, orgId: string, runIds: readonly string[]): Promise<void> {
  if (runIds.length === 0) return;
  const finished = rowsOf<Finished>(
    await tx.execute(sql`
      select r.id, r.mode, r.parent_run_id, r.fork_step, r.label, r.overrides, r.policies, run.status, run.output,
        run.error, parent.status as original_status, parent.output as original_output,
        case when r.label is null then (select w.definition from workflow_versions w
          where w.org_id = ${orgId}::uuid and w.id = run.workflow_version_id) end as definition
      from replays r
      join runs run on run.org_id = r.org_id and run.id = r.id
      join runs parent on parent.org_id = r.org_id and parent.id = r.parent_run_id
      where r.org_id = ${orgId}::uuid and r.id = any(${sql.param([...runIds])}::text[]) and run.status <> 'running'`),
  );
  if (finished.length === 0) return;
  const ids = [...new Set(finished.flatMap((f) => [f.id, f.parent_run_id]))];
  const spans = rowsOf<StepRow>(
    await tx.execute(sql`
      select run_id, id, name, status, output, attributes from spans
      where org_id = ${orgId}::uuid and run_id = any(${sql.param(ids)}::text[]) and parent_id is null
      order by started_at, id`),
  );
  for (const f of finished) {
    const own = spans.filter((s) => s.run_id === f.id);
    const parent = spans.filter((s) => s.run_id === f.parent_run_id);
    const originalSteps = new Map<string, VerdictStep>();
    let replaySteps: (VerdictStep & { policy: ReplayedPolicy | null })[];
    if (f.mode === "span") {
      // The playground re-ran one LLM span: it is compared with that span, not with the whole run.
      const span = parent.find((s) => s.id === f.fork_step);
      if (span) originalSteps.set(span.name, { stepId: span.name, status: span.status, output: answerOf(span.output) });
      replaySteps = own
        .filter((s) => s.name === PLAYGROUND_STEP)
        .map((s) => ({ stepId: span?.name ?? s.name, status: s.status, output: s.output, policy: "live" }));
    } else {
      for (const s of parent) originalSteps.set(s.name, { stepId: s.name, status: s.status, output: s.output });
      replaySteps = own.map((s) => ({
        stepId: s.name,
        status: s.status,
        output: s.output,
        policy: policyOf(s.attributes),
      }));
    }
    const original =
      f.mode === "span"
        ? { status: originalSteps.values().next().value?.status ?? f.original_status, output: null }
        : { status: f.original_status, output: f.original_output };
    const { verdict, step } = verdictOf({
      original: { ...original, steps: originalSteps },
      replay: {
        status: f.status,
        output: f.mode === "span" ? null : f.output,
        interrupted: f.error === INTERRUPTED,
        steps: replaySteps,
      },
    });
    await tx.execute(sql`
      update runs set verdict = ${verdict}, verdict_step = ${step}
      where org_id = ${orgId}::uuid and id = ${f.id}`);
    if (f.label === null) {
      const parsed = ZWorkflowDefinition.safeParse(f.definition);
      const label = describeReplay(parsed.success ? parsed.data : null, f.fork_step, f.overrides, f.policies);
      await tx.execute(sql`
        update replays set label = ${label} where org_id = ${orgId}::uuid and id = ${f.id} and label is null`);
    }
  }
}
