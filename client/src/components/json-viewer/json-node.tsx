import { clsx } from "clsx";
import { ChevronRight } from "lucide-react";
import { memo, useState } from "react";
import {
  ARRAY_PAGE,
  childPath,
  entriesOf,
  isContainer,
  isOpen,
  sizeOf,
  type Json,
  type OpenState,
} from "./json-tree.ts";
import { Key, Primitive } from "./json-values.tsx";

/** What every node reads: the search, what is open, and how to open or close a container. */
export interface Ctx extends OpenState {
  q: string;
  toggle: (path: string, open: boolean) => void;
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

const Punct = ({ children }: { children: string }) => <span className="text-zinc-500">{children}</span>;

/** One key and its value; a container folds, and renders its children only while open. */
export const JsonNode = memo(function JsonNode({ name, isIndex, value, path, depth, ctx, last }: NodeProps) {
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
        <Punct>{openBracket + closeBracket}</Punct>
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
          <Punct>{openBracket}</Punct>
          {!open && (
            <>
              <span className="mx-1 rounded bg-zinc-100 px-1 font-sans text-[11px] text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400">
                {size} {array ? (size === 1 ? "item" : "items") : size === 1 ? "key" : "keys"}
              </span>
              <Punct>{closeBracket}</Punct>
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
            <Punct>{closeBracket}</Punct>
            {comma}
          </div>
        </>
      )}
    </div>
  );
});
