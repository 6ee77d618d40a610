import { CartesianGrid, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { formatInteger, formatMs, formatMsShort } from "../../../lib/run-format.ts";
import { bucketTooltip } from "./bucket-tooltip.tsx";
import { ChartCard } from "./chart-card.tsx";
import type { ChartProps, Series } from "./chart-data.ts";
import { chartFrame, GRID, seriesLines, useTimeAxis, VALUE_AXIS } from "./chart-parts.tsx";

const LATENCY_SERIES: readonly Series[] = [
  { key: "p50", label: "p50", color: "var(--chart-p50)", format: formatMs },
  { key: "p95", label: "p95", color: "var(--chart-p95)", format: formatMs },
];

/** Median and 95th-percentile run duration per bucket, over finished runs. */
export function LatencyChart({ data, bucketMs, p50, p95 }: ChartProps & { p50: number | null; p95: number | null }) {
  const timeAxis = useTimeAxis(data, bucketMs);
  return (
    <ChartCard
      title="Latency"
      value={`p50 ${formatMs(p50)} · p95 ${formatMs(p95)}`}
      series={LATENCY_SERIES}
      testId="chart-latency"
      empty={p50 === null && "No finished runs in this range"}
    >
      <LineChart {...chartFrame(data, 180)}>
        <CartesianGrid {...GRID} />
        <XAxis {...timeAxis} />
        <YAxis width={48} tickFormatter={formatMsShort} {...VALUE_AXIS} />
        <Tooltip
          {...bucketTooltip("line", bucketMs, LATENCY_SERIES, (d) =>
            d.p50 === null ? "No finished runs" : `Over ${formatInteger(d.runs)} runs`,
          )}
        />
        {seriesLines(LATENCY_SERIES)}
      </LineChart>
    </ChartCard>
  );
}
