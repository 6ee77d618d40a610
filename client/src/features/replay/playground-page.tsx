import { Sparkles } from "lucide-react";
import { Navigate, useParams } from "react-router";
import { hasRole } from "@shared/roles.ts";
import { Alert } from "../../components/alert.tsx";
import { Select } from "../../components/form.tsx";
import { PageLoader } from "../../components/page-loader.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { useCurrentOrg } from "../session/use-current-org.ts";
import { PlaygroundForm } from "./playground-form.tsx";
import { usePlan } from "./replay-api.ts";
import { VIEWER_REFUSAL } from "./replay-entry.tsx";
import { ReplayLayout } from "./replay-page.tsx";
import { useVariants } from "./use-variants.ts";
import { VariantsPanel } from "./variants-panel.tsx";

/** The playground: one LLM span of any trace, re-run with edited messages, model and parameters, and compared. */
export default function PlaygroundPage() {
  const { org } = useCurrentOrg();
  const { runId = "" } = useParams();
  const plan = usePlan({ orgId: org.id, runId });
  const variants = useVariants(org.id);
  const refusal = hasRole(org.role, "member") ? null : VIEWER_REFUSAL;

  if (plan.isPending) return <PageLoader />;
  if (plan.isError) return <Alert>Could not open this run in the playground: {errorMessage(plan.error)}</Alert>;
  const p = plan.data;
  // A workflow run's LLM steps can be re-run here one at a time too; without any, its place is Test fix.
  if (p.mode === "workflow" && p.spans.length === 0)
    return <Navigate to={`/runs/${encodeURIComponent(runId)}/replay`} replace />;
  const span = p.spans.find((s) => s.spanId === variants.params.get("span")) ?? p.spans[0];
  if (!span) return <Alert>This run has no LLM calls to re-run.</Alert>;

  return (
    <ReplayLayout
      testId="playground-page"
      runId={runId}
      runName={p.run.name}
      title="Playground"
      lead={
        <div className="space-y-2">
          <p
            data-testid="playground-banner"
            className="flex flex-wrap items-center gap-x-2 gap-y-1 rounded-lg bg-violet-50 px-3.5 py-2 text-violet-950 ring-1 ring-violet-200 ring-inset dark:bg-violet-500/10 dark:text-violet-100 dark:ring-violet-500/25"
          >
            <Sparkles aria-hidden="true" className="size-4 text-violet-600 dark:text-violet-300" />
            <span>LLM call</span>
            <strong className="font-semibold break-all" data-testid="playground-span-name">
              {span.name}
            </strong>
            {span.model && (
              <span className="text-violet-800 dark:text-violet-200">
                · <span data-testid="playground-span-model">{span.model}</span>
              </span>
            )}
            <span className="text-violet-800 dark:text-violet-200">
              · {span.status === "error" ? "failed" : "recorded"} in {p.run.name}
            </span>
          </p>
          <p>Edit its messages, model or parameters and compare its answer with the recorded one.</p>
        </div>
      }
      form={
        <div className="space-y-3">
          {p.spans.length > 1 && (
            <Select
              aria-label="LLM call"
              data-testid="playground-span-select"
              value={span.spanId}
              onChange={(e) => variants.update((n) => n.set("span", e.target.value), true)}
            >
              {p.spans.map((s) => (
                <option key={s.spanId} value={s.spanId}>
                  {s.name}
                  {s.model ? ` · ${s.model}` : ""}
                </option>
              ))}
            </Select>
          )}
          <PlaygroundForm
            key={span.spanId}
            runId={runId}
            span={span}
            onRun={(r) => void variants.run(r)}
            pending={variants.pending}
            error={variants.error}
            refusal={refusal}
            variantCount={variants.ids.length}
          />
        </div>
      }
      results={
        <VariantsPanel
          orgId={org.id}
          variants={variants}
          steps={[]}
          onUseRecorded={() => undefined}
          emptyText="Edit the messages or parameters and press Run: the answer streams in here, then is compared with the recorded one."
        />
      }
    />
  );
}
