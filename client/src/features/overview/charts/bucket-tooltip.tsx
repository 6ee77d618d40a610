import type { ComponentProps, ReactNode } from "react";
import type { Tooltip, TooltipContentProps } from "recharts";
import { bucketLabel } from "../time-axis.ts";
import { Swatch } from "./chart-card.tsx";
import type { Datum, Series } from "./chart-data.ts";

type Footer = (d: Datum) => ReactNode;

/** The hovered bucket: its time span, each series' exact value, and a line of context. */
function BucketTooltip({
  active,
  payload,
  bucketMs,
  series,
  footer,
}: Pick<TooltipContentProps, "active" | "payload"> & {
  bucketMs: number;
  series: readonly Series[];
  footer: Footer;
}) {
  const datum = payload[0]?.payload as Datum | undefined;
  if (!active || !datum) return null;
  return (
    <div className="min-w-44 rounded-lg bg-white px-3 py-2.5 text-xs shadow-lg ring-1 ring-zinc-900/10 dark:bg-zinc-800 dark:ring-white/10">
      <p className="mb-1.5 font-medium text-zinc-900 dark:text-zinc-100">{bucketLabel(datum.t, bucketMs)}</p>
      <ul className="space-y-1">
        {series.map((s) => {
          const raw = datum[s.key];
          return (
            <li key={s.key} className="flex items-center justify-between gap-6">
              <span className="flex items-center gap-1.5 text-zinc-600 dark:text-zinc-300">
                <Swatch color={s.color} />
                {s.label}
              </span>
              <span className="font-medium text-zinc-900 tabular-nums dark:text-zinc-100">
                {raw === null ? "—" : s.format(raw)}
              </span>
            </li>
          );
        })}
      </ul>
      <div className="mt-1.5 border-t border-zinc-200 pt-1.5 text-zinc-500 dark:border-zinc-700 dark:text-zinc-400">
        {footer(datum)}
      </div>
    </div>
  );
}

/** The band over the hovered bar, and the dashed vertical cursor of the line and area charts. */
const CURSORS = {
  bar: { fill: "var(--chart-cursor)" },
  line: { stroke: "var(--chart-axis)", strokeDasharray: "3 3" },
};

/** Props for a chart's `<Tooltip>`: the bucket tooltip over the given series, with a cursor to suit the chart. */
export function bucketTooltip(
  cursor: keyof typeof CURSORS,
  bucketMs: number,
  series: readonly Series[],
  footer: Footer,
): ComponentProps<typeof Tooltip> {
  return {
    cursor: CURSORS[cursor],
    isAnimationActive: false,
    content: ({ active, payload }) => (
      <BucketTooltip active={active} payload={payload} bucketMs={bucketMs} series={series} footer={footer} />
    ),
  };
}
