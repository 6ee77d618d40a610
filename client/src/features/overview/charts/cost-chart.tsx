import { useId } from "react";
import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import { formatCost, formatCostExact } from "../../../lib/run-format.ts";
import { bucketTooltip } from "./bucket-tooltip.tsx";
import { ChartCard } from "./chart-card.tsx";
import type { ChartProps, Series } from "./chart-data.ts";
import { ACTIVE_DOT, chartFrame, GRID, useTimeAxis, VALUE_AXIS } from "./chart-parts.tsx";

const COST_SERIES: readonly Series[] = [
  { key: "cost", label: "Cost (USD)", color: "var(--chart-cost)", format: formatCostExact },
];

/** Spend per bucket, as an area fading towards the axis. */
export function CostChart({ data, bucketMs, total, unpriced }: ChartProps & { total: number; unpriced: number }) {
  const timeAxis = useTimeAxis(data, bucketMs);
  const gradientId = `cost-fill-${useId().replace(/:/g, "")}`;
  return (
    <ChartCard
      title="Cost"
      value={unpriced > 0 && total === 0 ? "No price known" : formatCost(total)}
      series={COST_SERIES}
      testId="chart-cost"
      empty={
        total === 0 &&
        (unpriced > 0
          ? `No price is known for the models of ${unpriced} ${unpriced === 1 ? "call" : "calls"}: add them in Settings → Models`
          : "No cost recorded: model calls are priced from their model and tokens")
      }
    >
      <AreaChart {...chartFrame(data, 180)}>
        <defs>
          <linearGradient id={gradientId} x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" stopColor="var(--chart-cost)" stopOpacity={0.35} />
            <stop offset="100%" stopColor="var(--chart-cost)" stopOpacity={0.02} />
          </linearGradient>
        </defs>
        <CartesianGrid {...GRID} />
        <XAxis {...timeAxis} />
        <YAxis width={48} tickFormatter={formatCost} {...VALUE_AXIS} />
        <Tooltip
          {...bucketTooltip("line", bucketMs, COST_SERIES, (d) =>
            d.runs > 0 ? `${formatCost(d.cost / d.runs)} per run` : "No runs",
          )}
        />
        <Area
          type="monotone"
          dataKey="cost"
          name="Cost"
          stroke="var(--chart-cost)"
          strokeWidth={2}
          fill={`url(#${gradientId})`}
          activeDot={ACTIVE_DOT}
          isAnimationActive={false}
        />
      </AreaChart>
    </ChartCard>
  );
}
