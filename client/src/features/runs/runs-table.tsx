import { clsx } from "clsx";
import { ArrowDown, ArrowUp, ArrowUpDown, Repeat } from "lucide-react";
import { memo, useCallback, type ReactNode } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import type { RunOrder, RunSort, RunSummary } from "@shared/schemas/runs.ts";
import { Ago } from "../../components/ago.tsx";
import { TD, TH } from "../../components/data-table.tsx";
import { CostValue } from "../../components/cost.tsx";
import { firstLine, formatInteger, formatTokens } from "../../lib/run-format.ts";
import { LiveDuration, RunStatusCell, SampleBadge, TagChips } from "./run-cells.tsx";

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
  selected: boolean;
  onOpen: (id: string) => void;
  onPickTag: (tag: string) => void;
  onToggle: (id: string) => void;
}

const RunRow = memo(function RunRow({ run, from, fresh, selected, onOpen, onPickTag, onToggle }: RowProps) {
  const error = run.status === "error" ? firstLine(run.error) : "";
  return (
    <tr
      data-testid="run-row"
      data-run-id={run.id}
      data-status={run.status}
      data-selected={selected || undefined}
      tabIndex={0}
      onClick={(e) => {
        // The name link, the tag buttons and the checkbox do their own thing.
        if ((e.target as HTMLElement).closest("a,button,input,label")) return;
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
        // Marked by a bar, not a tint: the row's secondary text keeps its contrast.
        selected && "shadow-[inset_3px_0_0_var(--color-indigo-500)]",
      )}
    >
      <td className={clsx(TD, "py-2 pr-0")}>
        <input
          type="checkbox"
          checked={selected}
          onChange={() => onToggle(run.id)}
          aria-label={`Select ${run.name}`}
          data-testid="run-select"
          className="size-4 cursor-pointer rounded border-zinc-300 accent-indigo-600 dark:border-zinc-600"
        />
      </td>
      <td className={clsx(TD, "py-2")}>
        <RunStatusCell run={run} />
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
        {run.replayOf !== null ? (
          <p className="mt-0.5 flex min-w-0 items-center gap-1 text-xs text-zinc-500 dark:text-zinc-400">
            <Repeat aria-hidden="true" className="size-3 shrink-0" />
            Replay of
            <Link
              to={`/runs/${encodeURIComponent(run.replayOf)}`}
              state={{ from }}
              className="truncate font-mono text-[11px] text-indigo-700 hover:underline dark:text-indigo-300"
              data-testid="replay-original"
            >
              {run.replayOf}
            </Link>
          </p>
        ) : error ? (
          <p className="mt-0.5 truncate text-xs text-rose-600 dark:text-rose-400" title={run.error ?? undefined}>
            {error}
          </p>
        ) : (
          <p className="mt-0.5 truncate font-mono text-[11px] text-zinc-500 dark:text-zinc-400">{run.id}</p>
        )}
      </td>
      <td className={clsx(TD, "hidden max-w-0 truncate py-2 xl:table-cell")} title={run.workflowVersionId ?? undefined}>
        {run.workflow ?? <span className="text-zinc-500 dark:text-zinc-400">—</span>}
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
        <span className="text-zinc-500 dark:text-zinc-400"> / </span>
        {formatTokens(run.outputTokens)}
      </td>
      <td className={clsx(TD, "py-2 text-right tabular-nums")}>
        <CostValue costUsd={run.costUsd} unpricedCount={run.unpricedCount} stacked />
      </td>
      <td className={clsx(TD, "hidden max-w-0 py-2 min-[1600px]:table-cell")}>
        <TagChips tags={run.tags} onPick={onPickTag} />
      </td>
      <td className={clsx(TD, "py-2 text-zinc-500 tabular-nums dark:text-zinc-400")}>
        <Ago iso={run.startedAt} />
      </td>
    </tr>
  );
});

const COLUMNS: readonly { label: string; className: string; sort?: RunSort }[] = [
  { label: "Status", className: "w-28" },
  { label: "Name", className: "" },
  { label: "Workflow", className: "hidden w-36 xl:table-cell" },
  { label: "Duration", className: "w-28 text-right", sort: "duration" },
  { label: "Tokens in/out", className: "w-36 text-right", sort: "tokens" },
  { label: "Cost", className: "w-24 text-right", sort: "cost" },
  { label: "Tags", className: "hidden w-40 min-[1600px]:table-cell" },
  { label: "Started", className: "w-28", sort: "started" },
];

interface Sorting {
  order: RunOrder;
  onSort: (sort: RunSort) => void;
}

/** A sortable column's header: a button naming the column, with the direction as an arrow and in `aria-sort`. */
function SortHeader({
  label,
  sort,
  sorting,
  className,
}: {
  label: string;
  sort: RunSort;
  sorting: Sorting;
  className: string;
}) {
  const active = sorting.order.sort === sort;
  const Icon = !active ? ArrowUpDown : sorting.order.dir === "asc" ? ArrowUp : ArrowDown;
  return (
    <th
      scope="col"
      className={clsx(TH, className, "py-0")}
      aria-sort={active ? (sorting.order.dir === "asc" ? "ascending" : "descending") : undefined}
    >
      <button
        type="button"
        onClick={() => sorting.onSort(sort)}
        data-testid={`sort-${sort}`}
        className={clsx(
          "inline-flex items-center gap-1 rounded py-2.5 hover:text-zinc-900 dark:hover:text-zinc-100",
          className.includes("text-right") && "flex-row-reverse",
          active && "text-zinc-900 dark:text-zinc-100",
        )}
      >
        {label}
        <Icon aria-hidden="true" className={clsx("size-3.5", !active && "opacity-50")} />
      </button>
    </th>
  );
}

function TableFrame({ children, dimmed, sorting }: { children: ReactNode; dimmed?: boolean; sorting?: Sorting }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white shadow-xs dark:border-zinc-800 dark:bg-zinc-900">
      <table
        className={clsx(
          "w-full min-w-[760px] table-fixed divide-y divide-zinc-200 transition-opacity dark:divide-zinc-800",
          dimmed && "opacity-60",
        )}
        data-testid="runs-table"
        aria-busy={dimmed || undefined}
      >
        <thead className="bg-zinc-50/80 dark:bg-zinc-900">
          <tr>
            <th scope="col" className={clsx(TH, "w-10 pr-0")}>
              <span className="sr-only">Selected</span>
            </th>
            {COLUMNS.map((c) =>
              c.sort && sorting ? (
                <SortHeader key={c.label} label={c.label} sort={c.sort} sorting={sorting} className={c.className} />
              ) : (
                <th key={c.label} scope="col" className={clsx(TH, c.className)}>
                  {c.label}
                </th>
              ),
            )}
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
  selected,
  onToggle,
  order,
  onSort,
}: {
  runs: readonly RunSummary[];
  liveIds: ReadonlySet<string>;
  dimmed: boolean;
  onPickTag: (tag: string) => void;
  selected: ReadonlySet<string>;
  onToggle: (id: string) => void;
  order: RunOrder;
  onSort: (sort: RunSort) => void;
}) {
  const navigate = useNavigate();
  const from = `/runs${useLocation().search}`;
  const open = useCallback(
    (id: string) => void navigate(`/runs/${encodeURIComponent(id)}`, { state: { from } }),
    [navigate, from],
  );
  return (
    <TableFrame dimmed={dimmed} sorting={{ order, onSort }}>
      {runs.map((run) => (
        <RunRow
          key={run.id}
          run={run}
          from={from}
          fresh={liveIds.has(run.id)}
          selected={selected.has(run.id)}
          onOpen={open}
          onPickTag={onPickTag}
          onToggle={onToggle}
        />
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
            <td className={clsx(TD, "pr-0")}>
              <div className="size-4 rounded bg-zinc-200/70 dark:bg-zinc-800/70" />
            </td>
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
            <td className={clsx(TD, "hidden min-[1600px]:table-cell")}>
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
