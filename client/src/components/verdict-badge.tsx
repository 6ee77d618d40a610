import { clsx } from "clsx";
import { CircleCheck, CircleSlash, CircleX, Equal, GitCompareArrows } from "lucide-react";
import type { Verdict } from "@shared/schemas/runs.ts";

/** Short words for narrow cells (the Runs table); the tooltip says it in full. */
const SHORT: Record<Verdict, string> = {
  fixed: "Fixed",
  still_failing: "Failing",
  changed: "Changed",
  unchanged: "Same",
  interrupted: "Stopped",
};

const STYLE: Record<Verdict, { label: string; icon: typeof CircleCheck; className: string }> = {
  fixed: {
    label: "Fixed",
    icon: CircleCheck,
    className:
      "bg-emerald-50 text-emerald-800 ring-emerald-600/25 dark:bg-emerald-500/10 dark:text-emerald-300 dark:ring-emerald-400/25",
  },
  still_failing: {
    label: "Still failing",
    icon: CircleX,
    className: "bg-rose-50 text-rose-800 ring-rose-600/25 dark:bg-rose-500/10 dark:text-rose-300 dark:ring-rose-400/25",
  },
  changed: {
    label: "Changed",
    icon: GitCompareArrows,
    className:
      "bg-amber-50 text-amber-900 ring-amber-600/25 dark:bg-amber-400/10 dark:text-amber-200 dark:ring-amber-400/25",
  },
  unchanged: {
    label: "Unchanged",
    icon: Equal,
    className: "bg-zinc-100 text-zinc-700 ring-zinc-500/20 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-500/30",
  },
  interrupted: {
    label: "Did not finish",
    icon: CircleSlash,
    className: "bg-zinc-100 text-zinc-700 ring-zinc-500/20 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-500/30",
  },
};

/** What a verdict says in words, with its step: "Still failing at order". */
export function verdictText(verdict: Verdict, step: string | null | undefined): string {
  const { label } = STYLE[verdict];
  if (!step) return label;
  return verdict === "still_failing" ? `${label} at ${step}` : verdict === "changed" ? `${label} from ${step}` : label;
}

/**
 * A replay's verdict against the run it replays: fixed, still failing (and where), changed, unchanged, or did not
 * finish. `data-verdict` is what browser tests read.
 */
export function VerdictBadge({
  verdict,
  step,
  withStep = false,
  short = false,
  className,
}: {
  verdict: Verdict;
  step?: string | null;
  /** Names the step in the badge itself, not only in its tooltip. */
  withStep?: boolean;
  /** One short word, for narrow cells. */
  short?: boolean;
  className?: string;
}) {
  const { icon: Icon, className: colours } = STYLE[verdict];
  const full = verdictText(verdict, step);
  return (
    <span
      data-testid="verdict-badge"
      data-verdict={verdict}
      title={`Against the original: ${full}`}
      className={clsx(
        "inline-flex max-w-full items-center gap-1 truncate rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset",
        colours,
        className,
      )}
    >
      <Icon aria-hidden="true" className="size-3 shrink-0" />
      <span className="truncate">{short ? SHORT[verdict] : withStep ? full : STYLE[verdict].label}</span>
    </span>
  );
}
