import { clsx } from "clsx";
import { Search, X } from "lucide-react";
import { useEffect, useEffectEvent, useState } from "react";
import type { RunOrigin, RunStatus } from "@shared/schemas/runs.ts";
import { Button } from "../../components/button.tsx";
import { Select, TextInput } from "../../components/form.tsx";
import { RunStatusDot } from "../../components/run-status-badge.tsx";
import { hasFilters, ORIGINS, RANGE_LABELS, RANGES, STATUSES, type Range, type UrlFilters } from "./filters.ts";

const SEARCH_DEBOUNCE_MS = 300;

const STATUS_LABELS: Record<RunStatus, string> = { running: "Running", success: "Success", error: "Error" };
const ORIGIN_LABELS: Record<RunOrigin, string> = {
  production: "Production",
  replays: "Replays",
  all: "All runs",
};

/** `2026-05-01T09:30` (what a datetime-local input shows, local time) from an ISO time, and back. */
function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** The search box: typing updates the URL (and so the query) once the user pauses. */
function SearchBox({ value, onChange }: { value: string; onChange: (q: string) => void }) {
  const [text, setText] = useState(value);
  const [shown, setShown] = useState(value);
  // The URL changed under us (back/forward, "Clear filters"): show its value.
  if (value !== shown) {
    setShown(value);
    setText(value);
  }
  const commit = useEffectEvent((q: string) => onChange(q));
  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => commit(text), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, value]);

  return (
    <div className="relative w-full sm:w-auto sm:max-w-72 sm:min-w-44 sm:flex-1">
      <Search
        aria-hidden="true"
        className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-zinc-400"
      />
      <TextInput
        type="search"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") onChange(text);
          if (e.key === "Escape" && text) {
            e.preventDefault();
            setText("");
          }
        }}
        maxLength={200}
        placeholder="Search id, name, input, output…"
        aria-label="Search runs"
        className="pl-8"
        data-testid="runs-search"
      />
    </div>
  );
}

function StatusPicker({ value, onChange }: { value: RunStatus | null; onChange: (s: RunStatus | null) => void }) {
  const options: readonly (RunStatus | null)[] = [null, ...STATUSES];
  return (
    <div
      role="group"
      aria-label="Status"
      className="inline-flex h-9 shrink-0 rounded-md bg-white shadow-xs ring-1 ring-zinc-300 ring-inset dark:bg-zinc-900 dark:ring-zinc-700"
    >
      {options.map((status, i) => (
        <button
          key={status ?? "all"}
          type="button"
          aria-pressed={value === status}
          onClick={() => onChange(status)}
          data-testid={`status-filter-${status ?? "all"}`}
          className={clsx(
            "inline-flex items-center gap-1.5 px-2.5 text-sm font-medium transition-colors",
            i === 0 && "rounded-l-md",
            i === options.length - 1 && "rounded-r-md",
            i > 0 && "border-l border-zinc-300 dark:border-zinc-700",
            value === status
              ? "bg-zinc-100 text-zinc-900 dark:bg-zinc-800 dark:text-zinc-50"
              : "text-zinc-600 hover:bg-zinc-50 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800/60 dark:hover:text-zinc-100",
          )}
        >
          {status && <RunStatusDot status={status} />}
          {status ? STATUS_LABELS[status] : "All"}
        </button>
      ))}
    </div>
  );
}

/** Options for a facet select, keeping the URL's value even when the facet list does not (yet) have it. */
function withCurrent(options: readonly string[] | undefined, current: string | null): readonly string[] {
  const list = options ?? [];
  return current && !list.includes(current) ? [current, ...list] : list;
}

interface RunsFilterBarProps {
  filters: UrlFilters;
  facets: { workflows: string[]; tags: string[] } | undefined;
  onChange: (patch: Partial<UrlFilters>, options?: { replace?: boolean }) => void;
  onClear: () => void;
}

export function RunsFilterBar({ filters, facets, onChange, onClear }: RunsFilterBarProps) {
  const workflows = withCurrent(facets?.workflows, filters.workflow);
  const tags = withCurrent(facets?.tags, filters.tag);
  return (
    <div className="mb-4 space-y-3" data-testid="runs-filters">
      <div className="flex flex-wrap items-center gap-2">
        <SearchBox value={filters.q} onChange={(q) => onChange({ q }, { replace: true })} />
        <StatusPicker value={filters.status} onChange={(status) => onChange({ status })} />
        <Select
          aria-label="Runs or replays"
          width="w-auto"
          value={filters.origin}
          onChange={(e) => onChange({ origin: e.target.value as RunOrigin })}
          data-testid="origin-filter"
        >
          {ORIGINS.map((o) => (
            <option key={o} value={o}>
              {ORIGIN_LABELS[o]}
            </option>
          ))}
        </Select>
        <Select
          aria-label="Workflow"
          width="w-auto"
          className="max-w-48"
          value={filters.workflow ?? ""}
          onChange={(e) => onChange({ workflow: e.target.value || null })}
          data-testid="workflow-filter"
        >
          <option value="">All workflows</option>
          {workflows.map((w) => (
            <option key={w} value={w}>
              {w}
            </option>
          ))}
        </Select>
        <Select
          aria-label="Tag"
          width="w-auto"
          className="max-w-40"
          value={filters.tag ?? ""}
          onChange={(e) => onChange({ tag: e.target.value || null })}
          data-testid="tag-filter"
        >
          <option value="">All tags</option>
          {tags.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </Select>
        <Select
          aria-label="Time range"
          width="w-auto"
          value={filters.range ?? ""}
          onChange={(e) => {
            const range = (e.target.value || null) as Range | null;
            if (range === "custom" && !filters.from) {
              // Start the custom range from the last 24 hours, a sensible thing to narrow down from.
              onChange({ range, from: new Date(Date.now() - 24 * 3600_000).toISOString() });
            } else onChange({ range });
          }}
          data-testid="range-filter"
        >
          <option value="">All time</option>
          {RANGES.map((r) => (
            <option key={r} value={r}>
              {RANGE_LABELS[r]}
            </option>
          ))}
        </Select>
        {hasFilters(filters) && (
          <Button variant="ghost" onClick={onClear} data-testid="clear-filters">
            <X aria-hidden="true" className="size-4" />
            Clear filters
          </Button>
        )}
      </div>
      {filters.range === "custom" && (
        <div className="flex flex-wrap items-center gap-2 text-sm text-zinc-600 dark:text-zinc-400">
          <label className="flex items-center gap-2">
            From
            <TextInput
              type="datetime-local"
              width="w-auto"
              value={toLocalInput(filters.from)}
              onChange={(e) => onChange({ from: fromLocalInput(e.target.value) }, { replace: true })}
              data-testid="range-from"
            />
          </label>
          <label className="flex items-center gap-2">
            to
            <TextInput
              type="datetime-local"
              width="w-auto"
              value={toLocalInput(filters.to)}
              onChange={(e) => onChange({ to: fromLocalInput(e.target.value) }, { replace: true })}
              data-testid="range-to"
            />
          </label>
          {!filters.to && <span className="text-xs text-zinc-500">(leave “to” empty for “until now”)</span>}
        </div>
      )}
    </div>
  );
}
