import { ChevronsDownUp, ChevronsUpDown, Search, X } from "lucide-react";
import { CopyButton } from "../copy-button.tsx";
import type { SearchResult } from "./json-tree.ts";

interface JsonSearchBarProps {
  label: string;
  query: string;
  onQuery: (query: string) => void;
  result: SearchResult;
  /** Whether "expand all" is in force (the button then collapses all). */
  all: boolean | null;
  onToggleAll: () => void;
  copy: () => string;
}

/** Above a large value: the search box with its match count, expand / collapse all, and copy. */
export function JsonSearchBar({ label, query, onQuery, result, all, onToggleAll, copy }: JsonSearchBarProps) {
  return (
    <div className="mb-2 flex items-center gap-1.5">
      <div className="relative min-w-0 flex-1">
        <Search
          aria-hidden="true"
          className="pointer-events-none absolute top-1/2 left-2 size-3.5 -translate-y-1/2 text-zinc-400"
        />
        <input
          type="search"
          value={query}
          onChange={(e) => onQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape" && query) {
              e.stopPropagation();
              onQuery("");
            }
          }}
          placeholder={`Search ${label.toLowerCase()}…`}
          aria-label={`Search ${label}`}
          className="h-7 w-full rounded-md border-0 bg-white pr-20 pl-7 text-xs text-zinc-900 ring-1 ring-zinc-200 ring-inset placeholder:text-zinc-400 focus:ring-2 focus:ring-indigo-600 focus:outline-none dark:bg-zinc-950 dark:text-zinc-100 dark:ring-zinc-800"
        />
        {query && (
          <span className="absolute top-1/2 right-2 flex -translate-y-1/2 items-center gap-1 text-[11px] text-zinc-500 tabular-nums">
            {result.count === 0 ? "no match" : `${result.count}${result.truncated ? "+" : ""} found`}
            <button
              type="button"
              onClick={() => onQuery("")}
              aria-label="Clear search"
              className="rounded p-0.5 hover:bg-zinc-100 dark:hover:bg-zinc-800"
            >
              <X aria-hidden="true" className="size-3" />
            </button>
          </span>
        )}
      </div>
      <button
        type="button"
        onClick={onToggleAll}
        title={all ? "Collapse all" : "Expand all"}
        aria-label={all ? "Collapse all" : "Expand all"}
        className="rounded p-1 text-zinc-400 transition-colors hover:bg-zinc-100 hover:text-zinc-700 dark:hover:bg-zinc-800 dark:hover:text-zinc-200"
      >
        {all ? (
          <ChevronsDownUp aria-hidden="true" className="size-3.5" />
        ) : (
          <ChevronsUpDown aria-hidden="true" className="size-3.5" />
        )}
      </button>
      <CopyButton text={copy} label={`Copy ${label}`} />
    </div>
  );
}
