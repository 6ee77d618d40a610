import { BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import { formatInteger, formatTokens } from "../../../lib/run-format.ts";
import { bucketTooltip } from "./bucket-tooltip.tsx";
import { ChartCard } from "./chart-card.tsx";
import { formatCompact, type ChartProps, type Series } from "./chart-data.ts";
import { chartFrame, GRID, stackedBars, useTimeAxis, VALUE_AXIS } from "./chart-parts.tsx";

const TOKEN_SERIES: readonly Series[] = [
  { key: "tokensIn", label: "Input", color: "var(--chart-tokens-in)", format: formatInteger },
  { key: "tokensOut", label: "Output", color: "var(--chart-tokens-out)", format: formatInteger },
];

/** Input and output tokens per bucket, stacked. */
export function TokensChart({ data, bucketMs, total }: ChartProps & { total: number }) {
  const timeAxis = useTimeAxis(data, bucketMs);
  return (
    <ChartCard
      title="Tokens"
      value={formatTokens(total)}
      series={TOKEN_SERIES}
      testId="chart-tokens"
      empty={total === 0 && "No tokens recorded: LLM spans report inputTokens and outputTokens"}
    >
      <BarChart {...chartFrame(data, 180)} barCategoryGap="18%">
        <CartesianGrid {...GRID} />
        <XAxis {...timeAxis} />
        <YAxis width={40} allowDecimals={false} tickFormatter={formatCompact} {...VALUE_AXIS} />
        <Tooltip
          {...bucketTooltip(
            "bar",
            bucketMs,
            TOKEN_SERIES,
            (d) => `${formatInteger(d.tokensIn + d.tokensOut)} in total`,
          )}
        />
        {stackedBars(TOKEN_SERIES, "tokens")}
      </BarChart>
    </ChartCard>
  );
}
