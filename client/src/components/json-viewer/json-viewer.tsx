import { clsx } from "clsx";
import { useCallback, useDeferredValue, useMemo, useState } from "react";
import { CopyButton } from "../copy-button.tsx";
import { JsonNode, type Ctx } from "./json-node.tsx";
import { JsonSearchBar } from "./json-search-bar.tsx";
import { isContainer, isLarger, ROOT_PATH, searchJson, SMALL_VALUE, type Json } from "./json-tree.ts";
import { Primitive } from "./json-values.tsx";

interface JsonViewerProps {
  value: Json;
  /** Names the viewer for assistive technology and its copy button ("Input", "Output"). */
  label: string;
  /** Levels open at first. */
  defaultExpandDepth?: number;
  className?: string;
  testId?: string;
}

/**
 * A collapsible, searchable view of a JSON value: objects and arrays fold, long strings wrap (very long ones fold
 * too), a search box highlights matching keys and values and opens the path to each match, and a button copies the
 * whole value as formatted JSON. Children render only when opened and large arrays page by 100, so a big payload
 * costs what is on screen.
 */
export function JsonViewer({ value, label, defaultExpandDepth = 3, className, testId }: JsonViewerProps) {
  const [query, setQuery] = useState("");
  const q = useDeferredValue(query);
  const [toggles, setToggles] = useState<ReadonlyMap<string, boolean>>(() => new Map());
  const [all, setAll] = useState<boolean | null>(null);
  const result = useMemo(() => searchJson(value, q), [value, q]);
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
        <JsonSearchBar
          label={label}
          query={query}
          onQuery={setQuery}
          result={result}
          all={all}
          onToggleAll={() => {
            setToggles(new Map());
            setAll((a) => !(a ?? false));
          }}
          copy={copy}
        />
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
          <JsonNode name={null} isIndex={false} value={value} path={ROOT_PATH} depth={0} ctx={ctx} last />
        ) : typeof value === "string" ? (
          <p className="font-sans text-[13px] leading-6 break-words whitespace-pre-wrap">{value}</p>
        ) : (
          <Primitive value={value} q="" full />
        )}
      </div>
    </div>
  );
}
