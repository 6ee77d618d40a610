import { clsx } from "clsx";
import type { RunStatus } from "@shared/schemas/runs.ts";

const LABELS: Record<RunStatus, string> = { running: "Running", success: "Success", error: "Error" };

const BADGE: Record<RunStatus, string> = {
  running: "bg-sky-50 text-sky-700 ring-sky-600/25 dark:bg-sky-400/10 dark:text-sky-300 dark:ring-sky-400/25",
  success:
    "bg-emerald-50 text-emerald-700 ring-emerald-600/20 dark:bg-emerald-500/10 dark:text-emerald-400 dark:ring-emerald-400/20",
  error: "bg-rose-50 text-rose-700 ring-rose-600/20 dark:bg-rose-500/10 dark:text-rose-400 dark:ring-rose-400/20",
};

const DOT: Record<RunStatus, string> = {
  running: "bg-sky-500",
  success: "bg-emerald-500",
  error: "bg-rose-500",
};

/** The dot of a run or span status; a running one pulses. */
export function RunStatusDot({ status, className }: { status: RunStatus; className?: string }) {
  return (
    <span aria-hidden="true" className={clsx("relative inline-flex size-2 shrink-0", className)}>
      {status === "running" && <span className="absolute inset-0 animate-ping rounded-full bg-sky-400 opacity-75" />}
      <span className={clsx("relative inline-flex size-2 rounded-full", DOT[status])} />
    </span>
  );
}

/**
 * The status of a run or span as a pill: green success, red error, and a pulsing blue "Running". `data-status` is
 * what browser tests read.
 */
export function RunStatusBadge({
  status,
  size = "sm",
  className,
}: {
  status: RunStatus;
  size?: "sm" | "md";
  className?: string;
}) {
  return (
    <span
      data-status={status}
      className={clsx(
        "inline-flex items-center gap-1.5 rounded-full font-medium whitespace-nowrap ring-1 ring-inset",
        size === "sm" ? "px-2 py-0.5 text-xs" : "px-2.5 py-1 text-sm",
        BADGE[status],
        className,
      )}
    >
      <RunStatusDot status={status} />
      {LABELS[status]}
    </span>
  );
}
