import { clsx } from "clsx";
import { CircleCheck, TriangleAlert } from "lucide-react";
import type { ReactNode } from "react";

const TONES = {
  error: {
    icon: TriangleAlert,
    box: "border-rose-200 bg-rose-50 text-rose-800 dark:border-rose-900/60 dark:bg-rose-950/30 dark:text-rose-200",
  },
  success: {
    icon: CircleCheck,
    box: "border-emerald-200 bg-emerald-50 text-emerald-800 dark:border-emerald-900/60 dark:bg-emerald-950/30 dark:text-emerald-200",
  },
} as const;

/** An inline message beside a form or table; renders nothing without content. */
export function Alert({
  tone = "error",
  className,
  children,
}: {
  tone?: keyof typeof TONES;
  className?: string;
  children: ReactNode;
}) {
  if (!children) return null;
  const { icon: Icon, box } = TONES[tone];
  return (
    <p
      role={tone === "error" ? "alert" : "status"}
      className={clsx("flex items-start gap-2 rounded-md border px-3 py-2 text-sm", box, className)}
    >
      <Icon aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
      <span className="min-w-0">{children}</span>
    </p>
  );
}
