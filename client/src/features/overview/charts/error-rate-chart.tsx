import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import { formatInteger } from "../../../lib/run-format.ts";
import { formatPercent } from "../overview-data.ts";
import { bucketTooltip } from "./bucket-tooltip.tsx";
import { ChartCard } from "./chart-card.tsx";
import type { ChartProps, Series } from "./chart-data.ts";
import { chartFrame, GRID, useTimeAxis, VALUE_AXIS } from "./chart-parts.tsx";

const ERROR_RATE_SERIES: readonly Series[] = [
  { key: "errorRate", label: "Error rate", color: "var(--chart-error)", format: (v) => formatPercent(v, 2) },
];

/**
 * The share of runs that failed, one bar per bucket: a bucket without runs has no bar (its rate is null, not 0 %),
 * and no line joins buckets, so one failed run in a quiet hour is one tall bar rather than a swing across the chart.
 */
export function ErrorRateChart({ data, bucketMs, total }: ChartProps & { total: number | null }) {
  const timeAxis = useTimeAxis(data, bucketMs);
  return (
    <ChartCard
      title="Error rate"
      value={formatPercent(total)}
      series={ERROR_RATE_SERIES}
      testId="chart-error-rate"
      empty={total === null && "No runs in this range"}
    >
      <BarChart {...chartFrame(data, 180)} barCategoryGap="18%">
        <CartesianGrid {...GRID} />
        <XAxis {...timeAxis} />
        <YAxis
          width={40}
          domain={[0, (max: number) => Math.min(100, Math.max(5, Math.ceil(max / 5) * 5))]}
          tickFormatter={(v: number) => `${v}%`}
          {...VALUE_AXIS}
        />
        <Tooltip
          {...bucketTooltip("bar", bucketMs, ERROR_RATE_SERIES, (d) =>
            d.runs > 0 ? `${formatInteger(d.errors)} of ${formatInteger(d.runs)} runs failed` : "No runs",
          )}
        />
        <Bar
          dataKey="errorRate"
          name="Error rate"
          fill="var(--chart-error)"
          radius={[3, 3, 0, 0]}
          isAnimationActive={false}
        />
      </BarChart>
    </ChartCard>
  );
}
