import { useState, type ReactNode } from "react";
import { LONG_STRING, primitiveText, type Json } from "./json-tree.ts";

/** `text` with every case-insensitive occurrence of `q` marked. */
function Highlight({ text, q }: { text: string; q: string }) {
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

/** A quoted string that wraps; a very long one folds unless `full` (it is a search hit) or the user unfolds it. */
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

/** A string, number, boolean or null, coloured by type. */
export function Primitive({ value, q, full }: { value: Json; q: string; full: boolean }) {
  if (typeof value === "string") return <StringValue value={value} q={q} full={full} />;
  const text = primitiveText(value);
  const tone =
    typeof value === "number"
      ? "text-sky-700 dark:text-sky-400"
      : typeof value === "boolean"
        ? "text-violet-700 dark:text-violet-400"
        : "text-zinc-500 italic dark:text-zinc-400";
  return (
    <span className={tone}>
      <Highlight text={text} q={q} />
    </span>
  );
}

/** An object key (searchable) or an array index (dimmed, not selectable). */
export function Key({ name, q, isIndex }: { name: string; q: string; isIndex: boolean }) {
  if (isIndex) return <span className="text-zinc-500 select-none dark:text-zinc-400">{name}: </span>;
  return (
    <span className="text-zinc-800 dark:text-zinc-200">
      <Highlight text={name} q={q} />
      <span className="text-zinc-400">: </span>
    </span>
  );
}
