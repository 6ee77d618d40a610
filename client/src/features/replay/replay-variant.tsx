import { skipToken } from "@tanstack/react-query";
import { ArrowUpRight, GitFork } from "lucide-react";
import { useEffect, useRef } from "react";
import { Link } from "react-router";
import type { StepType } from "@shared/schemas/replay.ts";
import type { RunStatus } from "@shared/schemas/runs.ts";
import { Alert } from "../../components/alert.tsx";
import { RunStatusBadge } from "../../components/run-status-badge.tsx";
import { VerdictBadge } from "../../components/verdict-badge.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { LiveBadge } from "../../lib/live/live-badge.tsx";
import { Delta, formatValue } from "./deltas.tsx";
import { useReplayResult, type ReplayInfo } from "./replay-api.ts";
import { ReplayStepCard } from "./replay-step-card.tsx";
import { useReplayLive } from "./use-replay-live.ts";
import { VariantName } from "./variant-name.tsx";

interface ReplayVariantProps {
  orgId: string;
  replayId: string;
  /** The run's steps in order, so steps the replay has not reached yet still show. */
  steps: readonly { id: string; type: StepType }[];
  /** Whether this variant is the one on screen (hidden variants keep streaming). */
  active: boolean;
  onUseRecorded: (stepId: string, replay: ReplayInfo) => void;
  /** Tells the page the variant's status, for its tab. */
  onStatus: (replayId: string, status: RunStatus) => void;
  /** Its number and name from the fork tree, until its own comparison is in. */
  names?: { number: number | null; label: string | null };
  canRename: boolean;
}

/**
 * The planned steps, then any the replay produced that the plan did not list (a playground's single span). Once the
 * comparison is in, its steps are the list: a playground streams its call under another id than the span it compares.
 */
function withStreamed(
  steps: readonly { id: string; type: StepType }[],
  streamed: readonly { stepId: string; stepType: StepType }[],
  compared: readonly { stepId: string; type: StepType | null }[],
) {
  const out = [...steps];
  const seen = new Set(steps.map((s) => s.id));
  for (const s of [
    ...streamed.map((x) => ({ id: x.stepId, type: x.stepType })),
    ...compared.map((c) => ({ id: c.stepId, type: c.type ?? "llm" })),
  ]) {
    if (seen.has(s.id)) continue;
    seen.add(s.id);
    out.push(s);
  }
  return out;
}

function Total({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-[11px] font-medium text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="mt-0.5 flex items-baseline gap-1.5 text-sm font-semibold text-zinc-900 tabular-nums dark:text-zinc-50">
        {children}
      </dd>
    </div>
  );
}

/** One variant of a fix: its steps streaming in, then the comparison with the original run. */
export function ReplayVariant({
  orgId,
  replayId,
  steps,
  active,
  onUseRecorded,
  onStatus,
  names,
  canRename,
}: ReplayVariantProps) {
  const live = useReplayLive(orgId, replayId);
  const done = live.finished !== null || live.lost;
  const result = useReplayResult(done ? { orgId, replayId } : skipToken);
  const r = result.data;
  const byStep = new Map(live.steps.map((s) => [s.stepId, s]));
  const comparisons = new Map(r?.steps.map((c) => [c.stepId, c]));
  const divergenceRef = useRef<HTMLLIElement | null>(null);
  const scrolled = useRef(false);
  useEffect(() => {
    if (!active || !r?.firstDivergence || scrolled.current) return;
    scrolled.current = true;
    divergenceRef.current?.scrollIntoView({ block: "center", behavior: "smooth" });
  }, [active, r?.firstDivergence]);

  const status = r?.run.status ?? live.finished?.status ?? "running";
  const held = r?.steps.filter((c) => c.policy === "held").map((c) => c.stepId) ?? [];
  useEffect(() => onStatus(replayId, status), [onStatus, replayId, status]);
  return (
    <section data-testid="replay-variant" data-replay-id={replayId} data-status={status} hidden={!active}>
      <div className="mb-3 rounded-lg border border-zinc-200 bg-white px-4 py-3 shadow-xs dark:border-zinc-800 dark:bg-zinc-900">
        <div className="flex flex-wrap items-center gap-2.5">
          <GitFork aria-hidden="true" className="size-4 text-indigo-500" />
          <VariantName
            orgId={orgId}
            replayId={replayId}
            number={r?.replay.number ?? names?.number ?? null}
            label={r?.replay.label ?? names?.label ?? null}
            canRename={canRename && !!r}
          />
          <RunStatusBadge status={status} />
          {r?.replay.verdict && <VerdictBadge verdict={r.replay.verdict} step={r.replay.verdictStep} withStep />}
          {!done && <LiveBadge connection={live.connection} testId="replay-live" />}
          <Link
            to={`/runs/${encodeURIComponent(replayId)}`}
            className="ml-auto inline-flex items-center gap-1 text-xs font-medium text-indigo-600 hover:text-indigo-500 dark:text-indigo-400"
          >
            Open replay run
            <ArrowUpRight aria-hidden="true" className="size-3.5" />
          </Link>
        </div>
        {r && (
          <>
            <dl className="mt-3 grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="replay-totals">
              <Total label="Tokens">
                {formatValue("tokens", r.run.inputTokens + r.run.outputTokens)}
                <Delta
                  metric="tokens"
                  value={r.run.inputTokens + r.run.outputTokens - (r.original.inputTokens + r.original.outputTokens)}
                />
              </Total>
              <Total label="Cost">
                {formatValue("cost", r.run.costUsd)}
                <Delta metric="cost" value={r.run.costUsd - r.original.costUsd} />
              </Total>
              <Total label="Duration">
                {formatValue("ms", r.run.durationMs)}
                <Delta
                  metric="ms"
                  value={
                    r.run.durationMs !== null && r.original.durationMs !== null
                      ? r.run.durationMs - r.original.durationMs
                      : null
                  }
                />
              </Total>
              <Total label="Diverged at">
                <span data-testid="first-divergence" className="truncate font-mono text-[13px]">
                  {r.firstDivergence ?? "—"}
                </span>
              </Total>
            </dl>
            {held.length > 0 && (
              <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400" data-testid="held-note">
                {held.join(", ")} {held.length === 1 ? "was" : "were"} held: a side effect the original never reached is
                not run by a replay. The outcome is that of the steps that ran; switch a held step live to run it.
              </p>
            )}
            {!r.firstDivergence && r.run.status === "success" && (
              <p className="mt-2 text-xs text-zinc-500 dark:text-zinc-400">
                The replay reproduced the original output at every step.
              </p>
            )}
          </>
        )}
        {live.finished?.error && !r && (
          <p className="mt-2 text-sm text-rose-600 dark:text-rose-400">{live.finished.error}</p>
        )}
      </div>
      {result.isError && <Alert className="mb-3">Could not load the comparison: {errorMessage(result.error)}</Alert>}
      <ol className="space-y-2" data-testid="replay-steps">
        {withStreamed(steps, r ? [] : live.steps, r?.steps ?? []).map((step, index) => {
          const s = byStep.get(step.id);
          const c = comparisons.get(step.id);
          const first = r?.firstDivergence === step.id;
          return (
            <ReplayStepCard
              key={step.id}
              ref={first ? divergenceRef : undefined}
              stepId={step.id}
              index={index}
              type={s?.stepType ?? c?.type ?? step.type}
              policy={s?.policy ?? c?.policy ?? undefined}
              snapshot={s?.snapshot ?? c?.replay ?? undefined}
              tokens={s?.tokens}
              comparison={c}
              firstDivergence={first}
              finished={done}
              onUseRecorded={r ? () => onUseRecorded(step.id, r.replay) : undefined}
            />
          );
        })}
      </ol>
    </section>
  );
}
