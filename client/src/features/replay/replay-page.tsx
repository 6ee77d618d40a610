import { ArrowLeft, GitCompareArrows } from "lucide-react";
import type { ReactNode } from "react";
import { Link, Navigate, useParams } from "react-router";
import { hasRole } from "@shared/roles.ts";
import { Alert } from "../../components/alert.tsx";
import { PageLoader } from "../../components/page-loader.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { useCurrentOrg } from "../session/use-current-org.ts";
import { FixForm } from "./fix-form.tsx";
import { usePlan, type PlanStep, type ReplayInfo } from "./replay-api.ts";
import { useVariants } from "./use-variants.ts";
import { VariantsPanel } from "./variants-panel.tsx";

import { VIEWER_REFUSAL } from "./replay-entry.tsx";

/** The step a fix most likely starts at: the first that failed, else the first LLM call, else the first. */
export function defaultForkStep(steps: PlanStep[]): PlanStep | undefined {
  return steps.find((s) => s.recorded?.status === "error") ?? steps.find((s) => s.type === "llm") ?? steps[0];
}

/** Back link, title and lead of the Test fix and playground pages; the form left, the variants right. */
export function ReplayLayout(props: {
  runId: string;
  runName: string;
  title: string;
  lead: ReactNode;
  form: ReactNode;
  results: ReactNode;
  testId: string;
}) {
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
      <p className="mb-5 text-sm text-zinc-500 dark:text-zinc-400">{props.lead}</p>
      <div className="grid items-start gap-5 xl:grid-cols-[440px_minmax(0,1fr)]">
        <div className="xl:sticky xl:top-20 xl:max-h-[calc(100dvh-6rem)] xl:overflow-y-auto">{props.form}</div>
        <div className="min-w-0" data-testid="replay-results">
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
      runId={runId}
      runName={p.run.name}
      title="Test fix"
      lead={
        <>
          Change <code className="font-mono text-[13px] text-zinc-700 dark:text-zinc-300">{fork.id}</code> and replay
          the run from there. Steps before it keep their recorded outputs and cost nothing.
        </>
      }
      form={
        <FixForm
          key={fork.id}
          runId={runId}
          steps={p.steps}
          forkStep={fork}
          onPickFork={(stepId) => variants.update((n) => n.set("step", stepId), true)}
          onRun={(r) => void variants.run(r)}
          pending={variants.pending}
          error={variants.error}
          refusal={refusal}
          variantCount={variants.ids.length}
        />
      }
      results={
        <VariantsPanel
          orgId={org.id}
          variants={variants}
          steps={p.steps.map((s) => ({ id: s.id, type: s.type }))}
          onUseRecorded={retryWithRecorded}
          emptyText="Edit the step, press Run: the steps stream in here as they run, then each is compared with the original. Start more variants to try several fixes side by side."
        />
      }
    />
  );
}
