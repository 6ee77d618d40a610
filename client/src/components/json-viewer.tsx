import { clsx } from "clsx";
import { ChevronRight, ChevronsDownUp, ChevronsUpDown, Search, X } from "lucide-react";
import { memo, useCallback, useDeferredValue, useMemo, useState, type ReactNode } from "react";
import { CopyButton } from "./copy-button.tsx";

/**
 * A collapsible, searchable view of a JSON value: objects and arrays fold, long strings wrap (very long ones fold
 * too), a search box highlights matching keys and values and opens the path to each match, and a button copies the
 * whole value as formatted JSON. Children render only when opened and large arrays page by 100, so a big payload
 * costs what is on screen.
 */

type Json = unknown;
type Container = Record<string, Json> | Json[];

const ARRAY_PAGE = 100;
const LONG_STRING = 400;
/** A search stops after this many nodes, so typing stays instant on huge payloads. */
const SEARCH_NODE_LIMIT = 50_000;

function isContainer(v: Json): v is Container {
  return typeof v === "object" && v !== null;
}

function entriesOf(v: Container): [string, Json][] {
  return Array.isArray(v) ? v.map((item, i) => [String(i), item]) : Object.entries(v);
}

function sizeOf(v: Container): number {
  return Array.isArray(v) ? v.length : Object.keys(v).length;
}

const childPath = (path: string, key: string) => `${path}\u0001${key}`;

function primitiveText(v: Json): string {
  if (typeof v === "string") return v;
  if (v === undefined) return "undefined";
  // Parsed JSON holds nothing else than strings, numbers, booleans and null here.
  return JSON.stringify(v);
}

interface SearchResult {
  /** Paths whose key or value matches. */
  hits: ReadonlySet<string>;
  /** Containers to open so every hit is visible. */
  open: ReadonlySet<string>;
  count: number;
  /** The search gave up before the end of a huge value. */
  truncated: boolean;
}

const NO_SEARCH: SearchResult = { hits: new Set(), open: new Set(), count: 0, truncated: false };

/** Whether a value has more than `limit` nodes (stops counting there). */
function isLarger(root: Json, limit: number): boolean {
  let count = 0;
  const stack: Json[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (++count > limit) return true;
    if (isContainer(value)) for (const [, v] of entriesOf(value)) stack.push(v);
  }
  return false;
}

/** Values up to this many nodes are read at a glance: no search box. */
const SMALL_VALUE = 12;

function search(root: Json, query: string): SearchResult {
  const q = query.trim().toLowerCase();
  if (!q) return NO_SEARCH;
  const hits = new Set<string>();
  const open = new Set<string>();
  let visited = 0;
  let count = 0;
  const stack: { value: Json; path: string; ancestors: string[]; key: string | null }[] = [
    { value: root, path: "$", ancestors: [], key: null },
  ];
  while (stack.length > 0 && visited < SEARCH_NODE_LIMIT) {
    const { value, path, ancestors, key } = stack.pop()!;
    visited++;
    let hit = key !== null && key.toLowerCase().includes(q);
    if (!isContainer(value)) hit ||= primitiveText(value).toLowerCase().includes(q);
    if (hit) {
      count++;
      hits.add(path);
      for (const a of ancestors) open.add(a);
    }
    if (isContainer(value)) {
      const next = [...ancestors, path];
      const entries = entriesOf(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i]!;
        stack.push({ value: v, path: childPath(path, k), ancestors: next, key: Array.isArray(value) ? null : k });
      }
    }
  }
  return { hits, open, count, truncated: stack.length > 0 };
}

/** `text` with every case-insensitive occurrence of `q` marked. */
export function Highlight({ text, q }: { text: string; q: string }) {
  const needle = q.trim().toLowerCase();
  if (!needle) return <>{text}</>;
  const lower = text.toLowerCase();
  const parts: ReactNode[] = [];
  let at = 0;
  for (let i = lower.indexOf(needle); i !== -1; i = lower.indexOf(needle, at)) {
    if (i > at) parts.push(text.slice(at, i));
    parts.push(
      <mark key={i} className="rounded-sm bg-amber-200 px-px text-inherit dark:bg-amber-400/40">
        {text.slice(i, i + needle.length)}
      </mark>,
    );
    at = i + needle.length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}

interface Ctx {
  q: string;
  result: SearchResult;
  defaultDepth: number;
  /** Open state the user chose, by path; `all` overrides the defaults after "expand all" / "collapse all". */
  toggles: ReadonlyMap<string, boolean>;
  all: boolean | null;
  toggle: (path: string, open: boolean) => void;
}

function isOpen(ctx: Ctx, path: string, depth: number): boolean {
  if (ctx.result.open.has(path)) return true;
  const chosen = ctx.toggles.get(path);
  if (chosen !== undefined) return chosen;
  if (ctx.all !== null) return ctx.all;
  return depth < ctx.defaultDepth;
}

function StringValue({ value, q, full }: { value: string; q: string; full: boolean }) {
  const [expanded, setExpanded] = useState(false);
  const long = value.length > LONG_STRING && !full;
  const shown = long && !expanded ? `${value.slice(0, LONG_STRING)}…` : value;
  return (
    <span className="whitespace-pre-wrap text-emerald-700 [overflow-wrap:anywhere] dark:text-emerald-400">
      &quot;
      <Highlight text={shown} q={q} />
      &quot;
      {long && (
        <button
          type="button"
          onClick={() => setExpanded((v) => !v)}
          className="ml-1.5 rounded px-1 font-sans text-[11px] font-medium text-indigo-600 hover:bg-indigo-50 dark:text-indigo-400 dark:hover:bg-indigo-500/10"
        >
          {expanded ? "show less" : `show all ${value.length.toLocaleString()} chars`}
        </button>
      )}
    </span>
  );
}

function Primitive({ value, q, full }: { value: Json; q: string; full: boolean }) {
  if (typeof value === "string") return <StringValue value={value} q={q} full={full} />;
  const text = primitiveText(value);
  const tone =
    typeof value === "number"
      ? "text-sky-700 dark:text-sky-400"
      : typeof value === "boolean"
        ? "text-violet-700 dark:text-violet-400"
        : "text-zinc-400 italic dark:text-zinc-500";
  return (
    <span className={tone}>
      <Highlight text={text} q={q} />
    </span>
  );
}

function Key({ name, q, isIndex }: { name: string; q: string; isIndex: boolean }) {
  if (isIndex) return <span className="text-zinc-400 select-none dark:text-zinc-500">{name}: </span>;
  return (
    <span className="text-zinc-800 dark:text-zinc-200">
      <Highlight text={name} q={q} />
      <span className="text-zinc-400">: </span>
    </span>
  );
}

interface NodeProps {
  name: string | null;
  isIndex: boolean;
  value: Json;
  path: string;
  depth: number;
  ctx: Ctx;
  last: boolean;
}

const JsonNode = memo(function JsonNode({ name, isIndex, value, path, depth, ctx, last }: NodeProps) {
  const [limit, setLimit] = useState(ARRAY_PAGE);
  const hit = ctx.result.hits.has(path);
  const comma = last ? null : <span className="text-zinc-400">,</span>;
  const key = name !== null ? <Key name={name} q={ctx.q} isIndex={isIndex} /> : null;

  if (!isContainer(value)) {
    return (
      <div className={clsx("pl-4", hit && "rounded-sm bg-amber-50 dark:bg-amber-400/5")}>
        {key}
        <Primitive value={value} q={ctx.q} full={hit} />
        {comma}
      </div>
    );
  }

  const array = Array.isArray(value);
  const size = sizeOf(value);
  const [openBracket, closeBracket] = array ? ["[", "]"] : ["{", "}"];
  if (size === 0) {
    return (
      <div className="pl-4">
        {key}
        <span className="text-zinc-500">
          {openBracket}
          {closeBracket}
        </span>
        {comma}
      </div>
    );
  }
  const open = isOpen(ctx, path, depth);
  const entries = open ? entriesOf(value) : [];
  const shown = entries.slice(0, limit);
  return (
    <div>
      <button
        type="button"
        onClick={() => ctx.toggle(path, !open)}
        aria-expanded={open}
        className={clsx(
          "group flex w-full items-start rounded-sm text-left hover:bg-zinc-100 dark:hover:bg-zinc-800/60",
          hit && "bg-amber-50 dark:bg-amber-400/5",
        )}
      >
        <ChevronRight
          aria-hidden="true"
          className={clsx(
            "mt-[3px] size-3.5 shrink-0 text-zinc-400 transition-transform group-hover:text-zinc-600",
            open && "rotate-90",
          )}
        />
        <span className="min-w-0 pl-0.5">
          {key}
          <span className="text-zinc-500">{openBracket}</span>
          {!open && (
            <>
              <span className="mx-1 rounded bg-zinc-100 px-1 font-sans text-[11px] text-zinc-500 dark:bg-zinc-800 dark:text-zinc-400">
                {size} {array ? (size === 1 ? "item" : "items") : size === 1 ? "key" : "keys"}
              </span>
              <span className="text-zinc-500">{closeBracket}</span>
              {comma}
            </>
          )}
        </span>
      </button>
      {open && (
        <>
          <div className="ml-[7px] border-l border-zinc-200 pl-1 dark:border-zinc-800">
            {shown.map(([k, v], i) => (
              <JsonNode
                key={k}
                name={k}
                isIndex={array}
                value={v}
                path={childPath(path, k)}
                depth={depth + 1}
                ctx={ctx}
                last={i === entries.length - 1}
              />
            ))}
            {entries.length > limit && (
              <button
                type="button"
                onClick={() => setLimit((l) => l + ARRAY_PAGE * 5)}
                className="my-0.5 ml-4 rounded px-1.5 py-0.5 font-sans text-xs font-medium text-indigo-600 hover:bg-indigo-50 dark:text-indigo-400 dark:hover:bg-indigo-500/10"
              >
                Show {Math.min(ARRAY_PAGE * 5, entries.length - limit).toLocaleString()} more of{" "}
                {(entries.length - limit).toLocaleString()}
              </button>
            )}
          </div>
          <div className="pl-4">
            <span className="text-zinc-500">{closeBracket}</span>
            {comma}
          </div>
        </>
      )}
    </div>
  );
});

interface JsonViewerProps {
  value: Json;
  /** Names the viewer for assistive technology and its copy button ("Input", "Output"). */
  label: string;
  /** Levels open at first. */
  defaultExpandDepth?: number;
  className?: string;
  testId?: string;
}

export function JsonViewer({ value, label, defaultExpandDepth = 3, className, testId }: JsonViewerProps) {
  const [query, setQuery] = useState("");
  const q = useDeferredValue(query);
  const [toggles, setToggles] = useState<ReadonlyMap<string, boolean>>(() => new Map());
  const [all, setAll] = useState<boolean | null>(null);
  const result = useMemo(() => search(value, q), [value, q]);
  const toggle = useCallback((path: string, open: boolean) => setToggles((prev) => new Map(prev).set(path, open)), []);
  const ctx = useMemo<Ctx>(
    () => ({ q, result, defaultDepth: defaultExpandDepth, toggles, all, toggle }),
    [q, result, defaultExpandDepth, toggles, all, toggle],
  );
  const container = isContainer(value);
  const searchable = useMemo(() => container && isLarger(value, SMALL_VALUE), [container, value]);
  const copy = () => (typeof value === "string" ? value : JSON.stringify(value, null, 2));

  return (
    <div className={clsx("relative min-w-0", className)} data-testid={testId}>
      {searchable ? (
        <div className="mb-2 flex items-center gap-1.5">
          <div className="relative min-w-0 flex-1">
            <Search
              aria-hidden="true"
              className="pointer-events-none absolute top-1/2 left-2 size-3.5 -translate-y-1/2 text-zinc-400"
            />
            <input
              type="search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Escape" && query) {
                  e.stopPropagation();
                  setQuery("");
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
                  onClick={() => setQuery("")}
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
            onClick={() => {
              setToggles(new Map());
              setAll((a) => !(a ?? false));
            }}
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
      ) : (
        <CopyButton text={copy} label={`Copy ${label}`} className="absolute top-1 right-1 z-[1]" />
      )}
      <div
        role="region"
        aria-label={label}
        className={clsx(
          "overflow-x-auto rounded-md bg-zinc-50 px-2 py-1.5 font-mono text-[12px] leading-5 text-zinc-800 ring-1 ring-zinc-200/70 ring-inset dark:bg-zinc-950/60 dark:text-zinc-200 dark:ring-zinc-800",
          !searchable && "pr-8",
        )}
      >
        {container ? (
          <JsonNode name={null} isIndex={false} value={value} path="$" depth={0} ctx={ctx} last />
        ) : typeof value === "string" ? (
          <p className="font-sans text-[13px] leading-6 break-words whitespace-pre-wrap">{value}</p>
        ) : (
          <Primitive value={value} q="" full />
        )}
      </div>
    </div>
  );
}

/** Whether a payload is worth a viewer: null, `{}`, `[]` and "" are shown as "nothing recorded" instead. */
export function isEmptyJson(value: Json): boolean {
  return (
    value === null ||
    value === undefined ||
    (typeof value === "object" && Object.keys(value).length === 0) ||
    (typeof value === "string" && value.length === 0)
  );
}
