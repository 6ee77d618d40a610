import { clsx } from "clsx";
import type { ComponentPropsWithoutRef } from "react";
import type { OverallStatus, ServiceState } from "../lib/service-meta.ts";

export type Tone = "success" | "warning" | "danger" | "neutral";

const BADGE: Record<Tone, string> = {
  success:
    "bg-emerald-50 text-emerald-700 ring-emerald-600/20 dark:bg-emerald-500/10 dark:text-emerald-400 dark:ring-emerald-400/20",
  warning:
    "bg-amber-50 text-amber-800 ring-amber-600/25 dark:bg-amber-400/10 dark:text-amber-300 dark:ring-amber-400/20",
  danger: "bg-rose-50 text-rose-700 ring-rose-600/20 dark:bg-rose-500/10 dark:text-rose-400 dark:ring-rose-400/20",
  neutral: "bg-zinc-100 text-zinc-600 ring-zinc-500/20 dark:bg-zinc-400/10 dark:text-zinc-400 dark:ring-zinc-400/20",
};

const DOT: Record<Tone, string> = {
  success: "bg-emerald-500",
  warning: "bg-amber-500",
  danger: "bg-rose-500",
  neutral: "bg-zinc-400",
};

export function toneFor(state: ServiceState | OverallStatus): Tone {
  switch (state) {
    case "ok":
      return "success";
    case "degraded":
      return "warning";
    case "error":
      return "danger";
    case "not_configured":
      return "neutral";
  }
}

export function StatusDot({ tone, pulse = false, className }: { tone: Tone; pulse?: boolean; className?: string }) {
  return (
    <span aria-hidden="true" className={clsx("relative inline-flex size-2 shrink-0", className)}>
      {pulse && <span className={clsx("absolute inset-0 animate-ping rounded-full opacity-60", DOT[tone])} />}
      <span className={clsx("relative inline-flex size-2 rounded-full", DOT[tone])} />
    </span>
  );
}

interface StatusBadgeProps extends ComponentPropsWithoutRef<"span"> {
  tone: Tone;
  pulse?: boolean;
  size?: "sm" | "md";
}

/** A pill with a coloured dot. The dot carries no text, so the badge's text content is exactly `children`. */
export function StatusBadge({ tone, pulse, size = "sm", className, children, ...rest }: StatusBadgeProps) {
  return (
    <span
      {...rest}
      className={clsx(
        "inline-flex items-center gap-1.5 rounded-full font-medium whitespace-nowrap ring-1 ring-inset",
        size === "sm" ? "px-2 py-0.5 text-xs" : "px-2.5 py-1 text-sm",
        BADGE[tone],
        className,
      )}
    >
      <StatusDot tone={tone} pulse={pulse} />
      {children}
    </span>
  );
}
