import { clsx } from "clsx";
import type { RunSummary } from "@shared/schemas/runs.ts";
import { RunStatusBadge } from "../../components/run-status-badge.tsx";
import { VerdictBadge } from "../../components/verdict-badge.tsx";
import { elapsedMs, formatMs } from "../../lib/run-format.ts";
import { useClock } from "../../lib/use-clock.ts";

/** A running run's duration, ticking every second; a finished one's, fixed. */
export function LiveDuration({
  startedAt,
  endedAt,
  durationMs,
}: Pick<RunSummary, "startedAt" | "endedAt" | "durationMs">) {
  const running = endedAt === null;
  const now = useClock(1000, running);
  return (
    <>{formatMs(running ? elapsedMs(startedAt, null, now) : (durationMs ?? elapsedMs(startedAt, endedAt, now)))}</>
  );
}

export function TagChips({ tags, onPick, max = 2 }: { tags: string[]; onPick?: (tag: string) => void; max?: number }) {
  if (tags.length === 0) return <span className="text-zinc-500 dark:text-zinc-400">—</span>;
  const shown = tags.slice(0, max);
  const chip =
    "inline-flex max-w-full min-w-0 items-center truncate rounded-md bg-zinc-100 px-1.5 py-0.5 text-[11px] font-medium text-zinc-700 ring-1 ring-zinc-500/15 ring-inset dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-400/15";
  return (
    <span className="flex min-w-0 items-center gap-1" title={tags.join(", ")}>
      {shown.map((tag) =>
        onPick ? (
          <button
            key={tag}
            type="button"
            className={clsx(chip, "hover:bg-indigo-50 hover:text-indigo-700 dark:hover:bg-indigo-500/15")}
            onClick={(e) => {
              e.stopPropagation();
              onPick(tag);
            }}
            title={`Show runs tagged “${tag}”`}
          >
            <span className="truncate">{tag}</span>
          </button>
        ) : (
          <span key={tag} className={chip}>
            <span className="truncate">{tag}</span>
          </span>
        ),
      )}
      {tags.length > max && <span className="text-[11px] text-zinc-500 dark:text-zinc-400">+{tags.length - max}</span>}
    </span>
  );
}

/** A run's status; a replay's verdict against its original beneath it once the replay has finished. */
export function RunStatusCell({ run }: { run: Pick<RunSummary, "status" | "verdict" | "verdictStep"> }) {
  return (
    <span className="flex flex-col items-start gap-1">
      <RunStatusBadge status={run.status} />
      {run.verdict && <VerdictBadge verdict={run.verdict} step={run.verdictStep} short />}
    </span>
  );
}

/** Runs loaded as sample data (Settings or the empty Overview) say so beside their name. */
export function SampleBadge({ tags }: { tags: string[] }) {
  if (!tags.includes("sample")) return null;
  return (
    <span
      data-testid="sample-badge"
      className="shrink-0 rounded-md bg-amber-50 px-1.5 py-0.5 text-[11px] font-medium text-amber-800 ring-1 ring-amber-600/20 ring-inset dark:bg-amber-500/10 dark:text-amber-200 dark:ring-amber-400/20"
    >
      Sample
    </span>
  );
}
