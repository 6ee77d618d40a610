import { clsx } from "clsx";
import { CircleCheck, CircleDashed, CircleX, History, LoaderCircle, PauseCircle, Zap } from "lucide-react";
import { forwardRef, useState } from "react";
import type { ReplayedPolicy, StepType } from "@shared/schemas/replay.ts";
import { Button } from "../../components/button.tsx";
import { ErrorCallout } from "../../components/error-callout.tsx";
import { KIND_STYLES } from "../../components/span-kind.ts";
import { Delta, formatValue, sumTokens } from "./deltas.tsx";
import { diffText, TextDiff } from "./text-diff.tsx";
import type { StepComparison, StepSnapshot } from "./replay-api.ts";

const hasOutput = (c: StepComparison) => diffText(c.original?.output) !== "" || diffText(c.replay?.output) !== "";

/** The message a tool step fails with when no runtime of the user is connected to run it. */
export const isNoRuntimeError = (error: string | null | undefined) => !!error && /no connected runtime/i.test(error);

export interface StepCardProps {
  stepId: string;
  index: number;
  type: StepType;
  /** As the stream delivered it; undefined until the replay reaches the step. */
  policy?: ReplayedPolicy;
  snapshot?: StepSnapshot;
  tokens?: string;
  /** Once the replay finished: the comparison with the original. */
  comparison?: StepComparison;
  firstDivergence?: boolean;
  finished: boolean;
  onUseRecorded?: () => void;
}

function PolicyBadge({ policy }: { policy: ReplayedPolicy }) {
  if (policy === "held")
    return (
      <span
        data-testid="step-policy-badge"
        className="inline-flex items-center gap-1 rounded-md bg-amber-50 px-1.5 py-0.5 text-[11px] font-medium text-amber-900 ring-1 ring-amber-600/25 ring-inset dark:bg-amber-400/10 dark:text-amber-200 dark:ring-amber-400/30"
      >
        <PauseCircle aria-hidden="true" className="size-3" />
        held · not run
      </span>
    );
  return policy === "recorded" ? (
    <span
      data-testid="step-policy-badge"
      className="inline-flex items-center gap-1 rounded-md bg-zinc-100 px-1.5 py-0.5 text-[11px] font-medium text-zinc-600 ring-1 ring-zinc-500/15 ring-inset dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-600/40"
    >
      <History aria-hidden="true" className="size-3" />
      recorded · from the original
    </span>
  ) : (
    <span
      data-testid="step-policy-badge"
      className="inline-flex items-center gap-1 rounded-md bg-indigo-50 px-1.5 py-0.5 text-[11px] font-medium text-indigo-700 ring-1 ring-indigo-600/20 ring-inset dark:bg-indigo-500/10 dark:text-indigo-300 dark:ring-indigo-400/30"
    >
      <Zap aria-hidden="true" className="size-3" />
      live
    </span>
  );
}

function StatusIcon({
  snapshot,
  policy,
  finished,
}: {
  snapshot?: StepSnapshot;
  policy?: ReplayedPolicy;
  finished: boolean;
}) {
  if (policy === "held") return <PauseCircle aria-label="Held" className="size-4 text-amber-600 dark:text-amber-400" />;
  if (!snapshot)
    return (
      <span title={finished ? "Not reached" : "Waiting"}>
        <CircleDashed aria-hidden="true" className="size-4 text-zinc-300 dark:text-zinc-600" />
      </span>
    );
  if (snapshot.status === "running" && policy === "live")
    return (
      <LoaderCircle aria-label="Running" className="size-4 animate-spin text-sky-500" data-testid="step-spinner" />
    );
  if (snapshot.status === "error") return <CircleX aria-label="Failed" className="size-4 text-rose-500" />;
  return <CircleCheck aria-label="Done" className="size-4 text-emerald-500" />;
}

function Figure({ label, value, delta }: { label: string; value: string; delta?: React.ReactNode }) {
  return (
    <span className="inline-flex items-baseline gap-1 whitespace-nowrap">
      <span className="text-zinc-500 dark:text-zinc-400">{label}</span>
      <span className="text-zinc-700 tabular-nums dark:text-zinc-300">{value}</span>
      {delta}
    </span>
  );
}

/** One step of a replay: its policy, its progress while streaming, then the diff of its output with the original. */
export const ReplayStepCard = forwardRef<HTMLLIElement, StepCardProps>(function ReplayStepCard(
  { stepId, index, type, policy, snapshot, tokens, comparison, firstDivergence, finished, onUseRecorded },
  ref,
) {
  const [showSame, setShowSame] = useState(false);
  const kind = KIND_STYLES[type];
  const Icon = kind.icon;
  const snap = comparison?.replay ?? snapshot;
  const running = snap?.status === "running";
  const d = comparison?.deltas;
  const error = snap?.error ?? null;
  return (
    <li
      ref={ref}
      data-testid="replay-step"
      data-step-id={stepId}
      data-policy={policy ?? "pending"}
      data-status={snap?.status ?? "pending"}
      data-changed={comparison ? String(comparison.changed) : undefined}
      data-first-divergence={firstDivergence || undefined}
      className={clsx(
        "rounded-lg border bg-white shadow-xs transition-colors dark:bg-zinc-900",
        firstDivergence
          ? "border-amber-400 ring-2 ring-amber-400/30 dark:border-amber-500/70"
          : "border-zinc-200 dark:border-zinc-800",
        !snap && "opacity-60",
      )}
    >
      <div className="flex flex-wrap items-center gap-x-2.5 gap-y-1.5 px-3.5 py-2.5">
        <StatusIcon snapshot={snap} policy={policy} finished={finished} />
        <span className="font-mono text-[11px] text-zinc-400 tabular-nums">{index + 1}</span>
        <Icon aria-hidden="true" className={clsx("size-3.5", kind.text)} />
        <span className="min-w-0 truncate font-mono text-[13px] font-medium text-zinc-900 dark:text-zinc-100">
          {stepId}
        </span>
        {policy && <PolicyBadge policy={policy} />}
        {firstDivergence && (
          <span className="rounded-md bg-amber-100 px-1.5 py-0.5 text-[11px] font-semibold text-amber-800 dark:bg-amber-400/15 dark:text-amber-300">
            First divergence
          </span>
        )}
        {comparison && !comparison.changed && comparison.replay && policy !== "held" && (
          <span className="text-[11px] text-zinc-500 dark:text-zinc-400">same output</span>
        )}
        {!snap && finished && <span className="text-[11px] text-zinc-500 dark:text-zinc-400">not reached</span>}
        {snap && snap.status !== "running" && policy !== "held" && (
          <span className="ml-auto flex flex-wrap items-baseline gap-x-3 text-[11px]">
            {(snap.inputTokens !== null || snap.outputTokens !== null) && (
              <Figure
                label="tokens"
                value={formatValue("tokens", sumTokens(snap.inputTokens, snap.outputTokens))}
                delta={<Delta metric="tokens" value={d ? sumTokens(d.inputTokens, d.outputTokens) : null} />}
              />
            )}
            {snap.costUsd !== null && (
              <Figure
                label="cost"
                value={formatValue("cost", snap.costUsd)}
                delta={<Delta metric="cost" value={d?.costUsd} />}
              />
            )}
            <Figure
              label="latency"
              value={formatValue("ms", snap.durationMs)}
              delta={<Delta metric="ms" value={d?.durationMs} testId="delta-latency" />}
            />
          </span>
        )}
      </div>
      {running && policy === "live" && (
        <div className="border-t border-zinc-100 px-3.5 py-2.5 dark:border-zinc-800">
          {tokens ? (
            <p
              data-testid="step-tokens"
              className="font-mono text-[12px] leading-5 whitespace-pre-wrap text-zinc-800 dark:text-zinc-200"
            >
              {tokens}
              <span
                aria-hidden="true"
                className="ml-0.5 inline-block h-3.5 w-1.5 animate-pulse bg-indigo-500 align-middle"
              />
            </p>
          ) : (
            <p className="text-xs text-zinc-400 italic">Running…</p>
          )}
        </div>
      )}
      {policy === "held" && snap?.held && (
        <p
          data-testid="replay-step-held"
          className="border-t border-zinc-100 px-3.5 py-2.5 text-xs leading-5 break-words text-zinc-700 dark:border-zinc-800 dark:text-zinc-300"
        >
          <span className="font-semibold text-amber-900 dark:text-amber-200">Held: </span>
          {snap.held}
        </p>
      )}
      {error && (
        <div className="space-y-2 border-t border-zinc-100 px-3.5 py-2.5 dark:border-zinc-800">
          <ErrorCallout message={error} testId="replay-step-error" />
          {isNoRuntimeError(error) && onUseRecorded && (
            <div className="flex flex-wrap items-center gap-3">
              <Button size="sm" variant="primary" onClick={onUseRecorded} data-testid="use-recorded">
                <History aria-hidden="true" className="size-3.5" />
                Use the recorded output
              </Button>
              <span className="text-xs text-zinc-500 dark:text-zinc-400">
                Starts a new variant with this step kept recorded.
              </span>
            </div>
          )}
        </div>
      )}
      {comparison?.changed && comparison.replay && policy !== "held" && hasOutput(comparison) && (
        <div className="border-t border-zinc-100 px-3.5 py-2.5 dark:border-zinc-800">
          <p className="mb-1.5 text-[11px] font-medium text-zinc-500 dark:text-zinc-400">
            Output: <del className="text-rose-600 no-underline dark:text-rose-400">original</del> →{" "}
            <ins className="text-emerald-600 no-underline dark:text-emerald-400">replay</ins>
          </p>
          <TextDiff before={comparison.original?.output} after={comparison.replay.output} testId="step-diff" />
        </div>
      )}
      {comparison && !comparison.changed && comparison.replay && policy === "live" && (
        <div className="border-t border-zinc-100 px-3.5 py-1.5 dark:border-zinc-800">
          <button
            type="button"
            className="text-[11px] font-medium text-zinc-500 hover:text-zinc-800 dark:text-zinc-400 dark:hover:text-zinc-200"
            onClick={() => setShowSame((s) => !s)}
          >
            {showSame ? "Hide output" : "Show output"}
          </button>
          {showSame && (
            <TextDiff before={comparison.replay.output} after={comparison.replay.output} className="mt-1.5 mb-1" />
          )}
        </div>
      )}
      {!comparison && snap && snap.status === "success" && policy === "live" && (
        <div className="border-t border-zinc-100 px-3.5 py-2.5 dark:border-zinc-800">
          <pre className="max-h-72 overflow-auto font-mono text-[12px] leading-5 whitespace-pre-wrap text-zinc-700 dark:text-zinc-300">
            {diffText(snap.output)}
          </pre>
        </div>
      )}
    </li>
  );
});
