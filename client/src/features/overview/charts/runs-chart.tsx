import { useNavigate } from "react-router";
import { BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import { formatInteger } from "../../../lib/run-format.ts";
import { formatPercent, runsLinkForBucket } from "../overview-data.ts";
import { bucketTooltip } from "./bucket-tooltip.tsx";
import { ChartCard } from "./chart-card.tsx";
import type { ChartProps, Series } from "./chart-data.ts";
import { chartFrame, GRID, stackedBars, useTimeAxis, VALUE_AXIS } from "./chart-parts.tsx";

const RUN_SERIES: readonly Series[] = [
  { key: "ok", label: "Success", color: "var(--chart-success)", format: formatInteger },
  { key: "errors", label: "Error", color: "var(--chart-error)", format: formatInteger },
];

/** Runs per bucket, successes under errors; a click opens the bucket's runs. */
export function RunsChart({ data, bucketMs, total }: ChartProps & { total: number }) {
  const navigate = useNavigate();
  const timeAxis = useTimeAxis(data, bucketMs);
  return (
    <ChartCard
      title="Runs"
      value={formatInteger(total)}
      series={RUN_SERIES}
      testId="chart-runs"
      className="h-full"
      empty={total === 0 && "No runs in this range"}
    >
      <BarChart
        {...chartFrame(data, 252)}
        barCategoryGap="18%"
        cursor="pointer"
        onClick={(state) => {
          const d = data[Number(state.activeTooltipIndex)];
          if (d && d.runs > 0) void navigate(runsLinkForBucket(d.t, bucketMs));
        }}
      >
        <CartesianGrid {...GRID} />
        <XAxis {...timeAxis} />
        <YAxis allowDecimals={false} width={40} {...VALUE_AXIS} />
        <Tooltip
          {...bucketTooltip("bar", bucketMs, RUN_SERIES, (d) =>
            d.runs > 0 ? (
              <>
                {formatInteger(d.runs)} runs · {formatPercent(d.errorRate)} errors
                <span className="mt-0.5 block text-indigo-600 dark:text-indigo-400">Click to open these runs</span>
              </>
            ) : (
              "No runs"
            ),
          )}
        />
        {stackedBars(RUN_SERIES, "runs")}
      </BarChart>
    </ChartCard>
  );
}
