import { clsx } from "clsx";
import { ArrowLeft, GitCompareArrows } from "lucide-react";
import { useState, type ReactNode } from "react";
import { Link, Navigate, useParams } from "react-router";
import { hasRole } from "@shared/roles.ts";
import type { StepPolicy } from "@shared/schemas/replay.ts";
import { planReplay, stepReads } from "@shared/workflow/plan.ts";
import { Alert } from "../../components/alert.tsx";
import { PageLoader } from "../../components/page-loader.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { useCurrentOrg } from "../session/use-current-org.ts";
import { FixForm } from "./fix-form.tsx";
import { usePlan, type PlanStep, type ReplayInfo, type ReplayPlan as Plan } from "./replay-api.ts";
import { OriginalStep } from "./original-step.tsx";
import { ReplayPlan } from "./replay-plan.tsx";
import { defaultPolicy } from "./step-policies.tsx";
import { useVariants, type Variants } from "./use-variants.ts";
import { VariantsPanel } from "./variants-panel.tsx";
import { VIEWER_REFUSAL } from "./replay-entry.tsx";

/** The step a fix most likely starts at: the first that failed, else the first LLM call, else the first. */
export function defaultForkStep(steps: PlanStep[]): PlanStep | undefined {
  return steps.find((s) => s.recorded?.status === "error") ?? steps.find((s) => s.type === "llm") ?? steps[0];
}

/**
 * Back link, title and lead of the Test fix and playground pages. The form sits left; on the right the original
 * (`context`) and the results. Once there are results they come first (where the user looks after a replay), and on
 * a narrow screen everything stacks: the original, the form, the results — or the results first once there are any.
 */
export function ReplayLayout(props: {
  runId: string;
  runName: string;
  title: string;
  lead: ReactNode;
  form: ReactNode;
  context?: ReactNode;
  results: ReactNode;
  resultsFirst?: boolean;
  testId: string;
}) {
  const { context, resultsFirst = false } = props;
  return (
    <div data-testid={props.testId}>
      <Link
        to={`/runs/${encodeURIComponent(props.runId)}`}
        className="mb-3 inline-flex items-center gap-1 text-sm text-zinc-500 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"
      >
        <ArrowLeft aria-hidden="true" className="size-4" />
        {props.runName}
      </Link>
      <h1 className="mb-1 flex items-center gap-2 text-xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">
        <GitCompareArrows aria-hidden="true" className="size-5 text-indigo-500" />
        {props.title}
      </h1>
      <div className="mb-5 text-sm text-zinc-500 dark:text-zinc-400">{props.lead}</div>
      <div className="grid items-start gap-5 xl:grid-cols-[440px_minmax(0,1fr)] xl:grid-rows-[auto_1fr]">
        <div className="min-w-0 xl:sticky xl:top-20 xl:col-start-1 xl:row-span-2 xl:row-start-1 xl:max-h-[calc(100dvh-6rem)] xl:overflow-y-auto">
          {props.form}
        </div>
        {context && (
          <div
            className={clsx(
              "min-w-0 xl:col-start-2",
              resultsFirst ? "order-last xl:row-start-2" : "order-first xl:row-start-1",
            )}
          >
            {context}
          </div>
        )}
        {/* The results slot: variants, and what a replay shows first (its fork tree). */}
        <div
          className={clsx(
            "min-w-0 xl:col-start-2",
            !context ? "xl:row-span-2 xl:row-start-1" : resultsFirst ? "order-first xl:row-start-1" : "xl:row-start-2",
          )}
          data-testid="replay-results"
        >
          {props.results}
        </div>
      </div>
    </div>
  );
}

/** Test fix: edit a step of a workflow run, replay from it (several variants at once), compare with the original. */
export default function ReplayPage() {
  const { org } = useCurrentOrg();
  const { runId = "" } = useParams();
  const plan = usePlan({ orgId: org.id, runId });
  const variants = useVariants(org.id);
  const refusal = hasRole(org.role, "member") ? null : VIEWER_REFUSAL;

  if (plan.isPending) return <PageLoader />;
  if (plan.isError) return <Alert>Could not prepare a replay of this run: {errorMessage(plan.error)}</Alert>;
  const p = plan.data;
  if (p.mode === "span") return <Navigate to={`/runs/${encodeURIComponent(runId)}/playground`} replace />;

  const fork = p.steps.find((s) => s.id === variants.params.get("step")) ?? defaultForkStep(p.steps);
  if (!fork) return <Alert>This run has no steps to replay.</Alert>;
  // Keyed by the fork step: another fork starts with its own edits and policies.
  return (
    <TestFix
      key={fork.id}
      orgId={org.id}
      run={p.run}
      steps={p.steps}
      fork={fork}
      variants={variants}
      refusal={refusal}
    />
  );
}

interface TestFixProps {
  orgId: string;
  run: Plan["run"];
  steps: PlanStep[];
  fork: PlanStep;
  variants: Variants;
  refusal: string | null;
}

function TestFix({ orgId, run, steps, fork, variants, refusal }: TestFixProps) {
  const [choices, setChoices] = useState<Record<string, StepPolicy>>({});
  const forkIndex = steps.findIndex((s) => s.id === fork.id);
  const policies = Object.fromEntries(
    steps.slice(forkIndex + 1).map((s) => [s.id, choices[s.id] ?? defaultPolicy(s)] as const),
  );
  const stepIds = steps.map((s) => s.id);
  const planned = planReplay(
    steps.map((s) => ({
      id: s.id,
      sideEffects: s.sideEffects,
      recorded: s.recorded?.status ?? null,
      reads: stepReads({ ...s.definition, id: s.id, type: s.type }, stepIds),
    })),
    fork.id,
    policies,
  );
  const setPolicy = (stepId: string, policy: StepPolicy) => setChoices((prev) => ({ ...prev, [stepId]: policy }));
  const hasVariants = variants.ids.length > 0;

  const retryWithRecorded = (stepId: string, replay: ReplayInfo) =>
    void variants.run({
      mode: "workflow",
      runId: replay.parentRunId,
      forkStep: replay.forkStep,
      overrides: replay.overrides as Record<string, Record<string, unknown>>,
      policies: { ...replay.policies, [stepId]: "recorded" },
      label: `${replay.label ?? "Variant"} · ${stepId} recorded`,
    });

  return (
    <ReplayLayout
      testId="replay-page"
      runId={run.id}
      runName={run.name}
      title="Test fix"
      lead={
        <p>
          Change <code className="font-mono text-[13px] text-zinc-700 dark:text-zinc-300">{fork.id}</code> and replay
          the run from there. Steps before it keep their recorded outputs and cost nothing.
        </p>
      }
      form={
        <FixForm
          runId={run.id}
          steps={steps}
          forkStep={fork}
          onPickFork={(stepId) => variants.update((n) => n.set("step", stepId), true)}
          onRun={(r) => void variants.run(r)}
          pending={variants.pending}
          error={variants.error}
          refusal={refusal}
          variantCount={variants.ids.length}
          policies={policies}
          onPolicyChange={setPolicy}
        />
      }
      context={<OriginalStep step={fork} run={run} />}
      resultsFirst={hasVariants}
      results={
        hasVariants ? (
          <VariantsPanel
            orgId={orgId}
            variants={variants}
            steps={steps.map((s) => ({ id: s.id, type: s.type }))}
            onUseRecorded={retryWithRecorded}
            emptyText="Edit the step, press Run: the steps stream in here as they run, then each is compared with the original."
          />
        ) : (
          <ReplayPlan
            steps={steps}
            plan={planned}
            onSwitchLive={(stepId) => setPolicy(stepId, "live")}
            readOnly={refusal !== null}
          />
        )
      }
    />
  );
}
