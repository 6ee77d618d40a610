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
  if (p.mode === "workflow") return <Navigate to={`/runs/${encodeURIComponent(runId)}/replay`} replace />;
  const span = p.spans.find((s) => s.spanId === variants.params.get("span")) ?? p.spans[0];
  if (!span) return <Alert>This run has no LLM calls to re-run.</Alert>;

  return (
    <ReplayLayout
      testId="playground-page"
      runId={runId}
      runName={p.run.name}
      title="Playground"
      lead={
        <>
          Re-run the LLM call{" "}
          <code className="font-mono text-[13px] text-zinc-700 dark:text-zinc-300">{span.name}</code> with other
          messages, model or parameters, and compare its answer with the recorded one.
        </>
      }
      form={
        <div className="space-y-3">
          {p.spans.length > 1 && (
            <Select
              aria-label="LLM call"
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
