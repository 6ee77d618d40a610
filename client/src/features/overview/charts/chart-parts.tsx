import { useMemo } from "react";
import { Bar, Line } from "recharts";
import { axisTicks, tickLabel } from "../time-axis.ts";
import type { Datum, Series } from "./chart-data.ts";

const AXIS_TICK = { fill: "var(--chart-axis)", fontSize: 11 };
const CHART_MARGIN = { top: 6, right: 24, bottom: 0, left: 0 };

/** The props every chart's root takes: full width, a fixed height, the shared margins. */
export const chartFrame = (data: Datum[], height: number) => ({
  responsive: true,
  style: { width: "100%", height },
  data,
  margin: CHART_MARGIN,
});

/** Horizontal grid lines only. */
export const GRID = { vertical: false, stroke: "var(--chart-grid)" };

/** The value axis of every chart: small grey ticks, no tick marks, no axis line; each chart adds width and format. */
export const VALUE_AXIS = { tick: AXIS_TICK, tickLine: false, axisLine: false };

/** The time axis every chart shares: its ticks fall on bucket boundaries and are labelled for the range. */
export function useTimeAxis(data: readonly Datum[], bucketMs: number) {
  return useMemo(
    () => ({
      dataKey: "t",
      ticks: axisTicks(
        data.map((d) => d.t),
        bucketMs,
      ),
      tickFormatter: (t: number) => tickLabel(t, bucketMs),
      interval: "preserveStartEnd" as const,
      minTickGap: 10,
      tick: AXIS_TICK,
      tickLine: false,
      axisLine: { stroke: "var(--chart-grid)" },
    }),
    [data, bucketMs],
  );
}

/** The ring around the hovered point of a line or area. */
export const ACTIVE_DOT = { r: 4, strokeWidth: 2, stroke: "var(--chart-surface)" };

/** One bar per series, stacked bottom to top in the series' order; the top one has rounded corners. */
export function stackedBars(series: readonly Series[], stackId: string) {
  return series.map((s, i) => (
    <Bar
      key={s.key}
      dataKey={s.key}
      name={s.label}
      stackId={stackId}
      fill={s.color}
      radius={i === series.length - 1 ? [3, 3, 0, 0] : undefined}
      isAnimationActive={false}
    />
  ));
}

/** One line per series, with small dots; empty buckets (null) are bridged rather than drawn as zero. */
export function seriesLines(series: readonly Series[]) {
  return series.map((s) => (
    <Line
      key={s.key}
      type="monotone"
      dataKey={s.key}
      name={s.label}
      stroke={s.color}
      strokeWidth={2}
      dot={{ r: 2, strokeWidth: 0, fill: s.color }}
      activeDot={ACTIVE_DOT}
      connectNulls
      isAnimationActive={false}
    />
  ));
}
