import { ChevronRight, History } from "lucide-react";
import type { ReactNode } from "react";
import { ErrorCallout } from "../../components/error-callout.tsx";
import { isEmptyJson } from "../../components/json-viewer/json-tree.ts";
import { JsonViewer } from "../../components/json-viewer/json-viewer.tsx";
import { RunStatusBadge } from "../../components/run-status-badge.tsx";
import { formatMs } from "../../lib/run-format.ts";
import type { PlanStep } from "./replay-api.ts";

/** A foldable block; long payloads stay out of the way until opened. */
function Fold({
  title,
  open = true,
  testId,
  children,
}: {
  title: string;
  open?: boolean;
  testId: string;
  children: ReactNode;
}) {
  return (
    <details open={open} className="group border-t border-zinc-200 dark:border-zinc-800" data-testid={testId}>
      <summary className="flex cursor-pointer list-none items-center gap-1.5 px-4 py-2.5 text-xs font-semibold tracking-wide text-zinc-700 uppercase select-none hover:bg-zinc-50 dark:text-zinc-300 dark:hover:bg-zinc-800/50 [&::-webkit-details-marker]:hidden">
        <ChevronRight aria-hidden="true" className="size-3.5 text-zinc-500 transition-transform group-open:rotate-90" />
        {title}
      </summary>
      <div className="max-h-80 overflow-auto px-4 pb-4">{children}</div>
    </details>
  );
}

function Payload({ value, label, testId }: { value: unknown; label: string; testId: string }) {
  if (isEmptyJson(value)) return <p className="text-xs text-zinc-500 italic dark:text-zinc-400">Nothing recorded.</p>;
  return <JsonViewer value={value} label={label} testId={testId} />;
}

/** The fork step as the original run left it (error, input, output, config) and the run's input: the failure in view. */
export function OriginalStep({ step, run }: { step: PlanStep; run: { input?: unknown; error: string | null } }) {
  const recorded = step.recorded;
  const stepFailed = recorded?.status === "error";
  return (
    <section
      data-testid="original-step"
      data-step-id={step.id}
      aria-labelledby="original-step-title"
      className="overflow-hidden rounded-lg border border-zinc-200 bg-white shadow-xs dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1 px-4 py-3">
        <History aria-hidden="true" className="size-4 text-zinc-500 dark:text-zinc-400" />
        <h2 id="original-step-title" className="text-sm font-semibold text-zinc-900 dark:text-zinc-50">
          <code className="font-mono">{step.id}</code> in the original run
        </h2>
        {recorded && <RunStatusBadge status={recorded.status} />}
        {recorded && (
          <span className="ml-auto text-xs text-zinc-500 tabular-nums dark:text-zinc-400">
            {[recorded.model, recorded.durationMs !== null ? formatMs(recorded.durationMs) : null]
              .filter(Boolean)
              .join(" · ")}
          </span>
        )}
      </div>
      <div className="space-y-2 px-4 pb-3 empty:hidden">
        {stepFailed && <ErrorCallout message={recorded.error ?? "Failed without a message"} testId="original-error" />}
        {!stepFailed && run.error && (
          <div data-testid="original-run-error">
            <p className="mb-1.5 text-xs text-zinc-600 dark:text-zinc-400">
              This step {recorded ? "succeeded" : "was never reached"}; the run failed with:
            </p>
            <ErrorCallout message={run.error} />
          </div>
        )}
        {!recorded && !run.error && (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">The original run never reached this step.</p>
        )}
      </div>
      {recorded && (
        <>
          <Fold title="Step input" testId="original-input">
            <Payload value={recorded.input} label="Step input" testId="original-input-json" />
          </Fold>
          <Fold title="Step output" testId="original-output">
            <Payload value={recorded.output} label="Step output" testId="original-output-json" />
          </Fold>
          <Fold title="Step config" testId="original-config">
            <Payload value={recorded.config} label="Step config" testId="original-config-json" />
          </Fold>
        </>
      )}
      <Fold title="Run input" open={!recorded} testId="original-run-input">
        <Payload value={run.input} label="Run input" testId="original-run-input-json" />
      </Fold>
    </section>
  );
}
