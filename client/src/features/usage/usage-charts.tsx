import { Bar, CartesianGrid, ComposedChart, Line, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import type { RouterOutputs } from "../../lib/trpc.ts";
import { formatCompactCount, formatCount, formatDay, formatLimit, formatPercentOfLimit } from "./usage-format.ts";

type Report = RouterOutputs["usage"]["get"];
const AXIS_TICK = { fill: "var(--chart-axis)", fontSize: 11 };

/**
 * One metric over the month: each day's count as bars, the month's running total as a line, and the limit as a
 * dashed line the total climbs towards (the axis reaches the limit, so the gap left is visible).
 */
function MetricChart({
  title,
  report,
  metric,
  testId,
}: {
  title: string;
  report: Report;
  metric: "spans" | "replays";
  testId: string;
}) {
  const limit = report[metric].limit;
  const totalKey = metric === "spans" ? "spansTotal" : "replaysTotal";
  const data = report.daily.map((d) => ({ day: d.day, daily: d[metric], total: d[totalKey] }));
  const used = report[metric].used;
  // The axis reaches the limit while usage is within sight of it; far below, it follows the data (a limit of a
  // million would flatten 200 spans to nothing) and the limit is named instead of drawn.
  const limitInView = limit > 0 && (used === 0 || used * 4 >= limit);
  const top = limitInView ? Math.max(limit, used) : Math.max(used, ...data.map((d) => d.daily), 1);
  const empty = used === 0;
  return (
    <figure
      data-testid={testId}
      className="flex min-w-0 flex-col rounded-lg border border-zinc-200 bg-white p-4 shadow-xs dark:border-zinc-800 dark:bg-zinc-900"
    >
      <figcaption className="mb-3 flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <span className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">{title}</span>
        <ul className="flex flex-wrap items-center gap-x-3 text-xs text-zinc-500 dark:text-zinc-400">
          <li className="flex items-center gap-1.5">
            <span aria-hidden="true" className="size-2 rounded-sm bg-indigo-300 dark:bg-indigo-700" />
            Per day
          </li>
          <li className="flex items-center gap-1.5">
            <span aria-hidden="true" className="h-0.5 w-3 rounded bg-indigo-600 dark:bg-indigo-400" />
            Month so far
          </li>
          <li className="flex items-center gap-1.5">
            <span aria-hidden="true" className="h-0 w-3 border-t-2 border-dashed border-rose-500" />
            Limit {formatLimit(limit)}
          </li>
        </ul>
      </figcaption>
      <div className="relative">
        <ComposedChart
          responsive
          style={{ width: "100%", height: 240 }}
          data={data}
          margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
        >
          <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
          <XAxis
            dataKey="day"
            tickFormatter={formatDay}
            interval="preserveStartEnd"
            minTickGap={16}
            tick={AXIS_TICK}
            tickLine={false}
            axisLine={{ stroke: "var(--chart-grid)" }}
          />
          <YAxis
            width={48}
            domain={[0, Math.ceil(top * 1.1)]}
            allowDecimals={false}
            tickFormatter={formatCompactCount}
            tick={AXIS_TICK}
            tickLine={false}
            axisLine={false}
          />
          <Tooltip
            cursor={{ fill: "var(--chart-cursor)" }}
            isAnimationActive={false}
            formatter={(value, name) => [formatCount(Number(value)), name === "daily" ? "That day" : "Month so far"]}
            labelFormatter={(label) => (typeof label === "string" ? formatDay(label) : "")}
          />
          <Bar dataKey="daily" fill="var(--usage-daily)" radius={[3, 3, 0, 0]} isAnimationActive={false} />
          <Line
            dataKey="total"
            type="monotone"
            stroke="var(--usage-total)"
            strokeWidth={2}
            dot={{ r: 2.5, fill: "var(--usage-total)", strokeWidth: 0 }}
            isAnimationActive={false}
          />
          {limitInView && <ReferenceLine y={limit} stroke="#f43f5e" strokeDasharray="5 4" strokeWidth={1.5} />}
        </ComposedChart>
        {!limitInView && limit > 0 && !empty && (
          <p className="pointer-events-none absolute top-1 right-4 rounded-md bg-white/90 px-2 py-0.5 text-xs text-zinc-500 dark:bg-zinc-900/90 dark:text-zinc-400">
            Limit {formatLimit(limit)} is far above: {formatPercentOfLimit(used, limit)} used
          </p>
        )}
        {empty && (
          <p className="pointer-events-none absolute inset-0 flex items-center justify-center text-xs text-zinc-500 dark:text-zinc-400">
            <span className="rounded-md bg-white/90 px-2 py-1 dark:bg-zinc-900/90">Nothing counted this month yet</span>
          </p>
        )}
      </div>
    </figure>
  );
}

export default function UsageCharts({ report }: { report: Report }) {
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <MetricChart title="Spans ingested" report={report} metric="spans" testId="usage-chart-spans" />
      <MetricChart title="Replays run" report={report} metric="replays" testId="usage-chart-replays" />
    </div>
  );
}
