import { clsx } from "clsx";
import { useId, type ReactNode } from "react";
import type { Series } from "./chart-data.ts";

/** A series' colour, in the legend and the tooltip. */
export function Swatch({ color }: { color: string }) {
  return <span aria-hidden="true" className="size-2 rounded-sm" style={{ background: color }} />;
}

function Legend({ series }: { series: readonly Series[] }) {
  return (
    <ul className="flex flex-wrap items-center gap-x-3 gap-y-1">
      {series.map((s) => (
        <li key={s.key} className="flex items-center gap-1.5 text-xs text-zinc-500 dark:text-zinc-400">
          <Swatch color={s.color} />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

/** A chart's frame: title, headline value and legend above the chart, and a note over it when there is no data. */
export function ChartCard({
  title,
  value,
  series,
  testId,
  className,
  empty,
  children,
}: {
  title: string;
  /** Shown over the chart when the range has nothing to draw (all zero), so a flat line does not read as data. */
  empty?: string | false;
  /** The range's headline number, beside the title. */
  value?: ReactNode;
  series: readonly Series[];
  testId: string;
  className?: string;
  children: ReactNode;
}) {
  const titleId = useId();
  return (
    <figure
      aria-labelledby={titleId}
      data-testid={testId}
      className={clsx(
        "flex min-w-0 flex-col rounded-lg border border-zinc-200 bg-white p-4 shadow-xs dark:border-zinc-800 dark:bg-zinc-900",
        className,
      )}
    >
      <figcaption className="mb-3 flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <span className="flex items-baseline gap-2">
          <span id={titleId} className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">
            {title}
          </span>
          {value !== undefined && (
            <span className="text-sm text-zinc-500 tabular-nums dark:text-zinc-400">{value}</span>
          )}
        </span>
        <Legend series={series} />
      </figcaption>
      <div className="relative">
        {children}
        {empty && (
          <p className="pointer-events-none absolute inset-0 flex items-center justify-center px-6 pb-6 text-center text-xs text-zinc-500 dark:text-zinc-400">
            <span className="rounded-md bg-white/90 px-2 py-1 dark:bg-zinc-900/90">{empty}</span>
          </p>
        )}
      </div>
    </figure>
  );
}
