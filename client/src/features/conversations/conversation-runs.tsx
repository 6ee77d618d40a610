import { Link } from "react-router";
import type { RunSummary } from "@shared/schemas/runs.ts";
import { RunStatusDot } from "../../components/run-status-badge.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { CostValue } from "../../components/cost.tsx";
import { elapsedMs, firstLine, formatMs, formatTokens } from "../../lib/run-format.ts";
import { useClock } from "../../lib/use-clock.ts";
import { formatClock } from "./conversation-format.ts";

const STATUS_TEXT = { running: "Running", success: "Success", error: "Error" } as const;

function RunItem({ run, index }: { run: RunSummary; index: number }) {
  const running = run.endedAt === null;
  const now = useClock(1000, running);
  const duration = running ? elapsedMs(run.startedAt, null, now) : (run.durationMs ?? 0);
  return (
    <li data-testid="conversation-run" data-run-id={run.id} data-status={run.status}>
      <Link
        to={`/runs/${encodeURIComponent(run.id)}`}
        className="block px-4 py-2.5 transition-colors hover:bg-zinc-50 dark:hover:bg-zinc-800/50"
      >
        <span className="flex items-center gap-2">
          <RunStatusDot status={run.status} />
          <span className="sr-only">{STATUS_TEXT[run.status]}:</span>
          <span className="min-w-0 flex-1 truncate text-sm font-medium text-zinc-900 dark:text-zinc-100">
            {run.name}
          </span>
          <span className="shrink-0 text-[11px] text-zinc-500 tabular-nums dark:text-zinc-400">#{index}</span>
        </span>
        <span className="mt-0.5 flex flex-wrap items-center gap-x-1.5 pl-4 text-xs whitespace-nowrap text-zinc-500 tabular-nums dark:text-zinc-400">
          <time dateTime={run.startedAt} title={formatDateTime(run.startedAt)}>
            {formatClock(run.startedAt)}
          </time>
          <span aria-hidden="true">·</span>
          <span title="Duration">{formatMs(duration)}</span>
          {run.inputTokens + run.outputTokens > 0 && (
            <>
              <span aria-hidden="true">·</span>
              <span title={`${run.inputTokens} in, ${run.outputTokens} out`}>
                {formatTokens(run.inputTokens + run.outputTokens)} tok
              </span>
            </>
          )}
          <span aria-hidden="true">·</span>
          <CostValue costUsd={run.costUsd} unpricedCount={run.unpricedCount} />
        </span>
        {run.status === "error" && run.error && (
          <span className="mt-1 block truncate pl-4 text-xs text-rose-700 dark:text-rose-300">
            {firstLine(run.error)}
          </span>
        )}
      </Link>
    </li>
  );
}

/** The conversation's runs, oldest first, each one click from its detail. */
export function ConversationRuns({ runs }: { runs: RunSummary[] }) {
  return (
    <section
      aria-labelledby="conversation-runs-title"
      className="overflow-hidden rounded-lg border border-zinc-200 bg-white shadow-xs dark:border-zinc-800 dark:bg-zinc-900"
    >
      <h2
        id="conversation-runs-title"
        className="border-b border-zinc-200 px-4 py-3 text-sm font-semibold text-zinc-900 dark:border-zinc-800 dark:text-zinc-100"
      >
        Runs <span className="font-normal text-zinc-500 dark:text-zinc-400">{runs.length}</span>
      </h2>
      {runs.length === 0 ? (
        <p className="px-4 py-6 text-center text-sm text-zinc-500 dark:text-zinc-400">No runs.</p>
      ) : (
        <ol className="divide-y divide-zinc-100 dark:divide-zinc-800" data-testid="conversation-runs">
          {runs.map((run, i) => (
            <RunItem key={run.id} run={run} index={i + 1} />
          ))}
        </ol>
      )}
    </section>
  );
}
