import { Columns2, Download, X } from "lucide-react";
import { Link } from "react-router";
import type { RunFilters, RunOrder } from "@shared/schemas/runs.ts";
import { Button, buttonClass } from "../../components/button.tsx";

/** The export route's address for the list as shown: its filters and its order. */
export function exportHref(orgId: string, filters: RunFilters, order: RunOrder, format: "csv" | "jsonl"): string {
  const params = new URLSearchParams({ orgId, format });
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, String(value));
  params.set("sort", order.sort);
  params.set("dir", order.dir);
  return `/api/runs/export?${params}`;
}

/** Above the list: what is selected and comparing two of them, and downloading the list as it is filtered. */
export function RunsToolbar({
  orgId,
  filters,
  order,
  selected,
  onClear,
}: {
  orgId: string;
  filters: RunFilters;
  order: RunOrder;
  selected: readonly string[];
  onClear: () => void;
}) {
  const [a, b] = selected;
  return (
    <div className="mb-3 flex flex-wrap items-center gap-2" data-testid="runs-toolbar">
      {selected.length > 0 ? (
        <>
          <span className="text-sm text-zinc-700 dark:text-zinc-300" data-testid="runs-selected">
            {selected.length} selected
          </span>
          {selected.length === 2 && a && b ? (
            <Link
              to={`/runs/compare?${new URLSearchParams({ a, b })}`}
              className={buttonClass("primary", "sm")}
              data-testid="compare-runs"
            >
              <Columns2 aria-hidden="true" className="size-3.5" />
              Compare
            </Link>
          ) : (
            <span className="text-xs text-zinc-500 dark:text-zinc-400">Select two runs to compare them</span>
          )}
          <Button variant="ghost" size="sm" onClick={onClear} data-testid="clear-selection">
            <X aria-hidden="true" className="size-3.5" />
            Clear selection
          </Button>
        </>
      ) : (
        <span className="text-xs text-zinc-500 dark:text-zinc-400">Select two runs to compare them</span>
      )}
      <span className="ml-auto flex items-center gap-2">
        <a
          href={exportHref(orgId, filters, order, "csv")}
          download
          className={buttonClass("secondary", "sm")}
          data-testid="export-csv"
        >
          <Download aria-hidden="true" className="size-3.5" />
          Export CSV
        </a>
        <a
          href={exportHref(orgId, filters, order, "jsonl")}
          download
          className={buttonClass("secondary", "sm")}
          data-testid="export-jsonl"
        >
          <Download aria-hidden="true" className="size-3.5" />
          Export JSON lines
        </a>
      </span>
    </div>
  );
}
