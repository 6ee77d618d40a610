import { ArrowRight, CircleCheck } from "lucide-react";
import { Link } from "react-router";
import type { OverviewRange, RunSummary } from "@shared/schemas/runs.ts";
import { RunStatusDot } from "../../components/run-status-badge.tsx";
import { formatAgo, formatDateTime } from "../../lib/format.ts";
import { firstLine } from "../../lib/run-format.ts";
import { useClock } from "../../lib/use-clock.ts";

/**
 * The latest failed production runs of the range (the overview's own list, so replays never show here): what needs
 * attention, one click from its detail.
 */
export function RecentErrors({ range, items }: { range: OverviewRange; items: readonly RunSummary[] }) {
  const now = useClock(15_000);

  return (
    <section
      aria-labelledby="recent-errors-title"
      data-testid="recent-errors"
      className="flex min-w-0 flex-col rounded-lg border border-zinc-200 bg-white shadow-xs dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex items-baseline justify-between gap-3 px-4 pt-4 pb-2">
        <h2 id="recent-errors-title" className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">
          Needs attention
        </h2>
        <Link
          to={`/runs?status=error&range=${range}`}
          className="inline-flex items-center gap-1 text-xs font-medium text-indigo-600 hover:text-indigo-500 dark:text-indigo-400 dark:hover:text-indigo-300"
        >
          All errors
          <ArrowRight aria-hidden="true" className="size-3" />
        </Link>
      </div>
      {items.length === 0 ? (
        <div className="flex flex-1 flex-col items-center justify-center gap-2 px-4 pt-4 pb-8 text-center">
          <CircleCheck aria-hidden="true" className="size-6 text-emerald-500 dark:text-emerald-400" />
          <p className="text-sm text-zinc-600 dark:text-zinc-400">No failed runs in this range.</p>
        </div>
      ) : (
        <ul className="flex-1 divide-y divide-zinc-100 dark:divide-zinc-800">
          {items.map((run) => (
            <li key={run.id}>
              <Link
                to={`/runs/${encodeURIComponent(run.id)}`}
                className="flex min-w-0 items-start gap-2.5 px-4 py-2.5 transition-colors hover:bg-zinc-50 dark:hover:bg-zinc-800/50"
              >
                <RunStatusDot status={run.status} className="mt-1.5" />
                <span className="min-w-0 flex-1">
                  <span className="flex items-baseline justify-between gap-2">
                    <span className="truncate text-sm font-medium text-zinc-900 dark:text-zinc-100">{run.name}</span>
                    <time
                      dateTime={run.startedAt}
                      title={formatDateTime(run.startedAt)}
                      className="shrink-0 text-xs text-zinc-500 tabular-nums dark:text-zinc-400"
                    >
                      {formatAgo(Date.parse(run.startedAt), now)}
                    </time>
                  </span>
                  <span className="block truncate text-xs text-rose-700/90 dark:text-rose-300/90">
                    {firstLine(run.error) || "Failed without an error message"}
                  </span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
