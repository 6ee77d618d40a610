import { clsx } from "clsx";
import { formatCount, formatLimit, formatPercentOfLimit, percentUsed } from "./usage-format.ts";

/** One metric of the month: used against its limit, as a number and a bar that turns amber at 90 % and red at 100 %. */
export function UsageMeter({
  label,
  used,
  limit,
  testId,
}: {
  label: string;
  used: number;
  limit: number;
  testId: string;
}) {
  const percent = percentUsed(used, limit);
  const tone = percent === null ? "indigo" : percent >= 100 ? "rose" : percent >= 90 ? "amber" : "indigo";
  return (
    <section
      data-testid={testId}
      className="rounded-lg border border-zinc-200 bg-white p-5 shadow-xs dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex items-baseline justify-between gap-4">
        <h2 className="text-sm font-medium text-zinc-600 dark:text-zinc-400">{label}</h2>
        <span
          className={clsx(
            "text-sm font-semibold tabular-nums",
            tone === "rose" && "text-rose-600 dark:text-rose-400",
            tone === "amber" && "text-amber-600 dark:text-amber-400",
            tone === "indigo" && "text-zinc-900 dark:text-zinc-100",
          )}
        >
          {percent === null ? "No limit" : formatPercentOfLimit(used, limit)}
        </span>
      </div>
      <p className="mt-2 text-2xl font-semibold tracking-tight text-zinc-900 tabular-nums dark:text-zinc-50">
        {formatCount(used)}
        <span className="ml-1.5 text-sm font-normal text-zinc-500 dark:text-zinc-400">of {formatLimit(limit)}</span>
      </p>
      <div
        role="progressbar"
        aria-label={`${label} used`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent === null ? undefined : Math.round(percent)}
        className="mt-4 h-2 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800"
      >
        <div
          className={clsx(
            "h-full rounded-full transition-[width]",
            tone === "rose" && "bg-rose-500",
            tone === "amber" && "bg-amber-500",
            tone === "indigo" && "bg-indigo-500",
          )}
          style={{ width: `${percent ?? 0}%` }}
        />
      </div>
      <p className="mt-2 text-xs text-zinc-500 dark:text-zinc-400">
        {percent === null
          ? "Counted, never refused."
          : percent >= 100
            ? "Limit reached: new ones are refused until the reset."
            : percent >= 90
              ? "Over 90 %: owners and admins have been warned by e-mail."
              : `${formatCount(Math.max(0, limit - used))} left this month.`}
      </p>
    </section>
  );
}
