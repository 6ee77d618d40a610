import { CartesianGrid, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { formatInteger } from "../../../lib/run-format.ts";
import { formatPercent } from "../overview-data.ts";
import { bucketTooltip } from "./bucket-tooltip.tsx";
import { ChartCard } from "./chart-card.tsx";
import type { ChartProps, Series } from "./chart-data.ts";
import { chartFrame, GRID, seriesLines, useTimeAxis, VALUE_AXIS } from "./chart-parts.tsx";

const ERROR_RATE_SERIES: readonly Series[] = [
  { key: "errorRate", label: "Error rate", color: "var(--chart-error)", format: (v) => formatPercent(v, 2) },
];

/** The share of runs that failed, per bucket; empty buckets are a gap in the data, bridged by the line. */
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
      <LineChart {...chartFrame(data, 180)}>
        <CartesianGrid {...GRID} />
        <XAxis {...timeAxis} />
        <YAxis
          width={40}
          domain={[0, (max: number) => Math.max(5, Math.ceil(max / 5) * 5)]}
          tickFormatter={(v: number) => `${v}%`}
          {...VALUE_AXIS}
        />
        <Tooltip
          {...bucketTooltip(
            "line",
            bucketMs,
            ERROR_RATE_SERIES,
            (d) => `${formatInteger(d.errors)} of ${formatInteger(d.runs)} runs failed`,
          )}
        />
        {seriesLines(ERROR_RATE_SERIES)}
      </LineChart>
    </ChartCard>
  );
}
