import { clsx } from "clsx";
import { diffLines, diffWordsWithSpace, type Change } from "diff";
import { memo, useMemo } from "react";

/** How a step's output reads in a diff: strings as they are, anything else as indented JSON. */
export function diffText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 2);
}

// Word diffs read best but cost O(N·D); past this size (or a timeout) the diff falls back to whole lines.
const WORD_DIFF_MAX_CHARS = 40_000;
const WORD_DIFF_TIMEOUT_MS = 150;

/** Below this share of text in common, interleaved words read as noise: whole lines (old, then new) read better. */
const MIN_COMMON_SHARE = 0.5;

export function computeDiff(before: string, after: string): { mode: "words" | "lines"; changes: Change[] } {
  if (before.length + after.length <= WORD_DIFF_MAX_CHARS) {
    const words = diffWordsWithSpace(before, after, { timeout: WORD_DIFF_TIMEOUT_MS });
    if (words) {
      const common = words.reduce((n, c) => (c.added || c.removed ? n : n + c.value.length), 0);
      if (common * 2 >= (before.length + after.length) * MIN_COMMON_SHARE) return { mode: "words", changes: words };
    }
  }
  return { mode: "lines", changes: diffLines(before, after) };
}

interface TextDiffProps {
  before: unknown;
  after: unknown;
  testId?: string;
  className?: string;
}

/** The whole of both values, inline: removed text struck through in red, added text in green. Never truncated. */
export const TextDiff = memo(function TextDiff({ before, after, testId, className }: TextDiffProps) {
  const { mode, changes } = useMemo(() => computeDiff(diffText(before), diffText(after)), [before, after]);
  const same = changes.every((c) => !c.added && !c.removed);
  // A line diff's old and new text each read as a block of their own.
  const lines = mode === "lines";
  return (
    <pre
      data-testid={testId}
      data-same={same || undefined}
      className={clsx(
        "overflow-x-auto rounded-md bg-zinc-50 px-3 py-2.5 font-mono text-[12px] leading-5 break-words whitespace-pre-wrap text-zinc-800 ring-1 ring-zinc-200 ring-inset dark:bg-zinc-950/60 dark:text-zinc-200 dark:ring-zinc-800",
        className,
      )}
    >
      {changes.map((c, i) =>
        c.added ? (
          <ins
            key={i}
            data-diff="added"
            className={clsx(
              lines && "block",
              "rounded-sm bg-emerald-100 text-emerald-900 no-underline dark:bg-emerald-500/20 dark:text-emerald-200",
            )}
          >
            {c.value}
          </ins>
        ) : c.removed ? (
          <del
            key={i}
            data-diff="removed"
            className={clsx(
              lines && "block",
              "rounded-sm bg-rose-100 text-rose-800 line-through decoration-rose-400/70 dark:bg-rose-500/20 dark:text-rose-300",
            )}
          >
            {c.value}
          </del>
        ) : (
          <span key={i}>{c.value}</span>
        ),
      )}
      {changes.length === 0 && <span className="text-zinc-400 italic">(empty)</span>}
    </pre>
  );
});
