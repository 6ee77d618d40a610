import { clsx } from "clsx";
import { memo, useCallback, type ReactNode } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import type { RunSummary } from "@shared/schemas/runs.ts";
import { Ago } from "../../components/ago.tsx";
import { TD, TH } from "../../components/data-table.tsx";
import { RunStatusBadge } from "../../components/run-status-badge.tsx";
import { CostValue } from "../../components/cost.tsx";
import { firstLine, formatInteger, formatTokens } from "../../lib/run-format.ts";
import { LiveDuration, SampleBadge, TagChips } from "./run-cells.tsx";

/** Fetches the run detail page's code ahead of the click, once. */
let detailPrefetched = false;
export function prefetchRunDetail() {
  if (detailPrefetched) return;
  detailPrefetched = true;
  void import("./run-detail/run-detail-page.tsx");
}

interface RowProps {
  run: RunSummary;
  /** Where the detail page's back link returns: this list with its filters. */
  from: string;
  fresh: boolean;
  onOpen: (id: string) => void;
  onPickTag: (tag: string) => void;
}

const RunRow = memo(function RunRow({ run, from, fresh, onOpen, onPickTag }: RowProps) {
  const error = run.status === "error" ? firstLine(run.error) : "";
  return (
    <tr
      data-testid="run-row"
      data-run-id={run.id}
      data-status={run.status}
      tabIndex={0}
      onClick={(e) => {
        // The name link and the tag buttons do their own thing.
        if ((e.target as HTMLElement).closest("a,button")) return;
        onOpen(run.id);
      }}
      onKeyDown={(e) => {
        if (e.key === "Enter" && e.target === e.currentTarget) onOpen(run.id);
      }}
      onPointerEnter={prefetchRunDetail}
      onFocus={prefetchRunDetail}
      className={clsx(
        "cursor-pointer transition-colors hover:bg-zinc-50 focus-visible:bg-indigo-50/60 focus-visible:outline-offset-[-2px] dark:hover:bg-zinc-800/50 dark:focus-visible:bg-indigo-500/10",
        fresh && "echos-row-fresh",
      )}
    >
      <td className={clsx(TD, "py-2")}>
        <RunStatusBadge status={run.status} />
      </td>
      <td className={clsx(TD, "max-w-0 py-2")}>
        <span className="flex min-w-0 items-center gap-1.5">
          <Link
            to={`/runs/${encodeURIComponent(run.id)}`}
            state={{ from }}
            className="block truncate font-medium text-zinc-900 hover:text-indigo-600 dark:text-zinc-100 dark:hover:text-indigo-400"
            data-testid="run-name"
          >
            {run.name}
          </Link>
          <SampleBadge tags={run.tags} />
        </span>
        {error ? (
          <p className="mt-0.5 truncate text-xs text-rose-600 dark:text-rose-400" title={run.error ?? undefined}>
            {error}
          </p>
        ) : (
          <p className="mt-0.5 truncate font-mono text-[11px] text-zinc-500 dark:text-zinc-400">{run.id}</p>
        )}
      </td>
      <td className={clsx(TD, "hidden max-w-0 truncate py-2 xl:table-cell")} title={run.workflowVersionId ?? undefined}>
        {run.workflow ?? <span className="text-zinc-400 dark:text-zinc-600">—</span>}
      </td>
      <td
        className={clsx(
          TD,
          "py-2 text-right tabular-nums",
          run.status === "running" && "text-sky-700 dark:text-sky-300",
        )}
      >
        <LiveDuration startedAt={run.startedAt} endedAt={run.endedAt} durationMs={run.durationMs} />
      </td>
      <td
        className={clsx(TD, "py-2 text-right tabular-nums")}
        title={`${formatInteger(run.inputTokens)} input · ${formatInteger(run.outputTokens)} output tokens`}
      >
        {formatTokens(run.inputTokens)}
        <span className="text-zinc-400 dark:text-zinc-600"> / </span>
        {formatTokens(run.outputTokens)}
      </td>
      <td className={clsx(TD, "py-2 text-right tabular-nums")}>
        <CostValue costUsd={run.costUsd} unpricedCount={run.unpricedCount} stacked />
      </td>
      <td className={clsx(TD, "hidden max-w-0 py-2 min-[1400px]:table-cell")}>
        <TagChips tags={run.tags} onPick={onPickTag} />
      </td>
      <td className={clsx(TD, "py-2 text-zinc-500 tabular-nums dark:text-zinc-400")}>
        <Ago iso={run.startedAt} />
      </td>
    </tr>
  );
});

const COLUMNS: readonly { label: string; className: string }[] = [
  { label: "Status", className: "w-28" },
  { label: "Name", className: "" },
  { label: "Workflow", className: "hidden w-36 xl:table-cell" },
  { label: "Duration", className: "w-24 text-right" },
  { label: "Tokens in/out", className: "w-32 text-right" },
  { label: "Cost", className: "w-28 text-right" },
  { label: "Tags", className: "hidden w-40 min-[1400px]:table-cell" },
  { label: "Started", className: "w-28" },
];

function TableFrame({ children, dimmed }: { children: ReactNode; dimmed?: boolean }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white shadow-xs dark:border-zinc-800 dark:bg-zinc-900">
      <table
        className={clsx(
          "w-full min-w-[720px] table-fixed divide-y divide-zinc-200 transition-opacity dark:divide-zinc-800",
          dimmed && "opacity-60",
        )}
        data-testid="runs-table"
        aria-busy={dimmed || undefined}
      >
        <thead className="bg-zinc-50/80 dark:bg-zinc-900">
          <tr>
            {COLUMNS.map((c) => (
              <th key={c.label} scope="col" className={clsx(TH, c.className)}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">{children}</tbody>
      </table>
    </div>
  );
}

export function RunsTable({
  runs,
  liveIds,
  dimmed,
  onPickTag,
}: {
  runs: readonly RunSummary[];
  liveIds: ReadonlySet<string>;
  dimmed: boolean;
  onPickTag: (tag: string) => void;
}) {
  const navigate = useNavigate();
  const from = `/runs${useLocation().search}`;
  const open = useCallback(
    (id: string) => void navigate(`/runs/${encodeURIComponent(id)}`, { state: { from } }),
    [navigate, from],
  );
  return (
    <TableFrame dimmed={dimmed}>
      {runs.map((run) => (
        <RunRow key={run.id} run={run} from={from} fresh={liveIds.has(run.id)} onOpen={open} onPickTag={onPickTag} />
      ))}
    </TableFrame>
  );
}

export function RunsTableSkeleton() {
  return (
    <div role="status" aria-label="Loading runs">
      <TableFrame>
        {Array.from({ length: 8 }, (_, i) => (
          <tr key={i} className="animate-pulse">
            <td className={TD}>
              <div className="h-5 w-20 rounded-full bg-zinc-200/80 dark:bg-zinc-800" />
            </td>
            <td className={TD}>
              <div className="h-3.5 w-40 rounded bg-zinc-200 dark:bg-zinc-800" />
              <div className="mt-1.5 h-2.5 w-24 rounded bg-zinc-200/60 dark:bg-zinc-800/60" />
            </td>
            <td className={clsx(TD, "hidden xl:table-cell")}>
              <div className="h-3.5 w-24 rounded bg-zinc-200/70 dark:bg-zinc-800/70" />
            </td>
            {[12, 16, 10].map((w, j) => (
              <td key={j} className={TD}>
                <div
                  className="ml-auto h-3.5 rounded bg-zinc-200/70 dark:bg-zinc-800/70"
                  style={{ width: `${w * 4}px` }}
                />
              </td>
            ))}
            <td className={clsx(TD, "hidden min-[1400px]:table-cell")}>
              <div className="h-4 w-14 rounded bg-zinc-200/60 dark:bg-zinc-800/60" />
            </td>
            <td className={TD}>
              <div className="h-3.5 w-16 rounded bg-zinc-200/70 dark:bg-zinc-800/70" />
            </td>
          </tr>
        ))}
      </TableFrame>
    </div>
  );
}
