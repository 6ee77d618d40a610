import { clsx } from "clsx";
import { useId, useMemo, type ReactNode } from "react";
import { useNavigate } from "react-router";
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipContentProps,
} from "recharts";
import type { OverviewBucket, OverviewRange } from "../../../../shared/schemas/runs.ts";
import {
  formatCost,
  formatCostExact,
  formatInteger,
  formatMs,
  formatMsShort,
  formatTokens,
} from "../../lib/run-format.ts";
import { errorRate, formatPercent, runsLinkForBucket } from "./overview-data.ts";
import { RecentErrors } from "./recent-errors.tsx";
import { axisTicks, bucketLabel, tickLabel } from "./time-axis.ts";

/** One bucket as the charts draw it: times as epoch ms, the error rate in percent, and what the tooltips show. */
interface Datum {
  t: number;
  runs: number;
  errors: number;
  ok: number;
  /** Percent of the bucket's runs that failed; null for an empty bucket (a gap, not a zero). */
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  tokensIn: number;
  tokensOut: number;
  cost: number;
}

function toData(buckets: readonly OverviewBucket[]): Datum[] {
  return buckets.map((b) => ({
    t: Date.parse(b.t),
    runs: b.runs,
    errors: b.errors,
    ok: b.runs - b.errors,
    errorRate: b.runs > 0 ? (b.errors / b.runs) * 100 : null,
    p50: b.p50Ms,
    p95: b.p95Ms,
    tokensIn: b.inputTokens,
    tokensOut: b.outputTokens,
    cost: b.costUsd,
  }));
}

interface Series {
  key: keyof Datum;
  label: string;
  color: string;
  /** The exact value for the tooltip. */
  format: (value: number) => string;
}

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
/** Axis numbers: "0", "7.5k", "22.5k", "1.2M". */
const formatCompact = (n: number) => compact.format(n).replace("K", "k");

const AXIS_TICK = { fill: "var(--chart-axis)", fontSize: 11 };
const CHART_MARGIN = { top: 6, right: 24, bottom: 0, left: 0 };

function Legend({ series }: { series: readonly Series[] }) {
  return (
    <ul className="flex flex-wrap items-center gap-x-3 gap-y-1">
      {series.map((s) => (
        <li key={s.key} className="flex items-center gap-1.5 text-xs text-zinc-500 dark:text-zinc-400">
          <span aria-hidden="true" className="size-2 rounded-sm" style={{ background: s.color }} />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

function ChartCard({
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

function BucketTooltip({
  active,
  payload,
  bucketMs,
  series,
  footer,
}: Pick<TooltipContentProps, "active" | "payload"> & {
  bucketMs: number;
  series: readonly Series[];
  footer?: (d: Datum) => ReactNode;
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
                <span aria-hidden="true" className="size-2 rounded-sm" style={{ background: s.color }} />
                {s.label}
              </span>
              <span className="font-medium text-zinc-900 tabular-nums dark:text-zinc-100">
                {raw === null ? "—" : s.format(raw)}
              </span>
            </li>
          );
        })}
      </ul>
      {footer && (
        <div className="mt-1.5 border-t border-zinc-200 pt-1.5 text-zinc-500 dark:border-zinc-700 dark:text-zinc-400">
          {footer(datum)}
        </div>
      )}
    </div>
  );
}

/** The time axis every chart shares: its ticks fall on bucket boundaries and are labelled for the range. */
function useTimeAxis(data: readonly Datum[], bucketMs: number) {
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

/** The dashed vertical cursor of the line and area charts. */
const LINE_CURSOR = { stroke: "var(--chart-axis)", strokeDasharray: "3 3" };

interface ChartProps {
  data: Datum[];
  bucketMs: number;
}

const RUN_SERIES: readonly Series[] = [
  { key: "ok", label: "Success", color: "var(--chart-success)", format: formatInteger },
  { key: "errors", label: "Error", color: "var(--chart-error)", format: formatInteger },
];

/** Runs per bucket, successes under errors; a click opens the bucket's runs. */
function RunsChart({ data, bucketMs, total }: ChartProps & { total: number }) {
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
        responsive
        style={{ width: "100%", height: 252 }}
        data={data}
        margin={CHART_MARGIN}
        barCategoryGap="18%"
        cursor="pointer"
        onClick={(state) => {
          const d = data[Number(state.activeTooltipIndex)];
          if (d && d.runs > 0) void navigate(runsLinkForBucket(d.t, bucketMs));
        }}
      >
        <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
        <XAxis {...timeAxis} />
        <YAxis allowDecimals={false} width={40} tick={AXIS_TICK} tickLine={false} axisLine={false} />
        <Tooltip
          cursor={{ fill: "var(--chart-cursor)" }}
          isAnimationActive={false}
          content={({ active, payload }) => (
            <BucketTooltip
              active={active}
              payload={payload}
              bucketMs={bucketMs}
              series={RUN_SERIES}
              footer={(d) =>
                d.runs > 0 ? (
                  <>
                    {formatInteger(d.runs)} runs · {formatPercent(d.errorRate)} errors
                    <span className="mt-0.5 block text-indigo-600 dark:text-indigo-400">Click to open these runs</span>
                  </>
                ) : (
                  "No runs"
                )
              }
            />
          )}
        />
        <Bar dataKey="ok" name="Success" stackId="runs" fill="var(--chart-success)" isAnimationActive={false} />
        <Bar
          dataKey="errors"
          name="Error"
          stackId="runs"
          fill="var(--chart-error)"
          radius={[3, 3, 0, 0]}
          isAnimationActive={false}
        />
      </BarChart>
    </ChartCard>
  );
}

const ERROR_RATE_SERIES: readonly Series[] = [
  { key: "errorRate", label: "Error rate", color: "var(--chart-error)", format: (v) => formatPercent(v, 2) },
];

function ErrorRateChart({ data, bucketMs, total }: ChartProps & { total: number | null }) {
  const timeAxis = useTimeAxis(data, bucketMs);
  return (
    <ChartCard
      title="Error rate"
      value={formatPercent(total)}
      series={ERROR_RATE_SERIES}
      testId="chart-error-rate"
      empty={total === null && "No runs in this range"}
    >
      <LineChart responsive style={{ width: "100%", height: 180 }} data={data} margin={CHART_MARGIN}>
        <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
        <XAxis {...timeAxis} />
        <YAxis
          width={40}
          domain={[0, (max: number) => Math.max(5, Math.ceil(max / 5) * 5)]}
          tickFormatter={(v: number) => `${v}%`}
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
        />
        <Tooltip
          cursor={LINE_CURSOR}
          isAnimationActive={false}
          content={({ active, payload }) => (
            <BucketTooltip
              active={active}
              payload={payload}
              bucketMs={bucketMs}
              series={ERROR_RATE_SERIES}
              footer={(d) => `${formatInteger(d.errors)} of ${formatInteger(d.runs)} runs failed`}
            />
          )}
        />
        <Line
          type="monotone"
          dataKey="errorRate"
          name="Error rate"
          stroke="var(--chart-error)"
          strokeWidth={2}
          dot={{ r: 2, strokeWidth: 0, fill: "var(--chart-error)" }}
          activeDot={{ r: 4, strokeWidth: 2, stroke: "var(--chart-surface)" }}
          connectNulls
          isAnimationActive={false}
        />
      </LineChart>
    </ChartCard>
  );
}

const LATENCY_SERIES: readonly Series[] = [
  { key: "p50", label: "p50", color: "var(--chart-p50)", format: formatMs },
  { key: "p95", label: "p95", color: "var(--chart-p95)", format: formatMs },
];

function LatencyChart({ data, bucketMs, p50, p95 }: ChartProps & { p50: number | null; p95: number | null }) {
  const timeAxis = useTimeAxis(data, bucketMs);
  return (
    <ChartCard
      title="Latency"
      value={`p50 ${formatMs(p50)} · p95 ${formatMs(p95)}`}
      series={LATENCY_SERIES}
      testId="chart-latency"
      empty={p50 === null && "No finished runs in this range"}
    >
      <LineChart responsive style={{ width: "100%", height: 180 }} data={data} margin={CHART_MARGIN}>
        <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
        <XAxis {...timeAxis} />
        <YAxis width={48} tickFormatter={formatMsShort} tick={AXIS_TICK} tickLine={false} axisLine={false} />
        <Tooltip
          cursor={LINE_CURSOR}
          isAnimationActive={false}
          content={({ active, payload }) => (
            <BucketTooltip
              active={active}
              payload={payload}
              bucketMs={bucketMs}
              series={LATENCY_SERIES}
              footer={(d) => (d.p50 === null ? "No finished runs" : `Over ${formatInteger(d.runs)} runs`)}
            />
          )}
        />
        {LATENCY_SERIES.map((s) => (
          <Line
            key={s.key}
            type="monotone"
            dataKey={s.key}
            name={s.label}
            stroke={s.color}
            strokeWidth={2}
            dot={{ r: 2, strokeWidth: 0, fill: s.color }}
            activeDot={{ r: 4, strokeWidth: 2, stroke: "var(--chart-surface)" }}
            connectNulls
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ChartCard>
  );
}

const TOKEN_SERIES: readonly Series[] = [
  { key: "tokensIn", label: "Input", color: "var(--chart-tokens-in)", format: formatInteger },
  { key: "tokensOut", label: "Output", color: "var(--chart-tokens-out)", format: formatInteger },
];

function TokensChart({ data, bucketMs, total }: ChartProps & { total: number }) {
  const timeAxis = useTimeAxis(data, bucketMs);
  return (
    <ChartCard
      title="Tokens"
      value={formatTokens(total)}
      series={TOKEN_SERIES}
      testId="chart-tokens"
      empty={total === 0 && "No tokens recorded: LLM spans report inputTokens and outputTokens"}
    >
      <BarChart
        responsive
        style={{ width: "100%", height: 180 }}
        data={data}
        margin={CHART_MARGIN}
        barCategoryGap="18%"
      >
        <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
        <XAxis {...timeAxis} />
        <YAxis
          width={40}
          allowDecimals={false}
          tickFormatter={formatCompact}
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
        />
        <Tooltip
          cursor={{ fill: "var(--chart-cursor)" }}
          isAnimationActive={false}
          content={({ active, payload }) => (
            <BucketTooltip
              active={active}
              payload={payload}
              bucketMs={bucketMs}
              series={TOKEN_SERIES}
              footer={(d) => `${formatInteger(d.tokensIn + d.tokensOut)} in total`}
            />
          )}
        />
        <Bar dataKey="tokensIn" name="Input" stackId="tokens" fill="var(--chart-tokens-in)" isAnimationActive={false} />
        <Bar
          dataKey="tokensOut"
          name="Output"
          stackId="tokens"
          fill="var(--chart-tokens-out)"
          radius={[3, 3, 0, 0]}
          isAnimationActive={false}
        />
      </BarChart>
    </ChartCard>
  );
}

const COST_SERIES: readonly Series[] = [
  { key: "cost", label: "Cost (USD)", color: "var(--chart-cost)", format: formatCostExact },
];

function CostChart({ data, bucketMs, total }: ChartProps & { total: number }) {
  const timeAxis = useTimeAxis(data, bucketMs);
  const gradientId = `cost-fill-${useId().replace(/:/g, "")}`;
  return (
    <ChartCard
      title="Cost"
      value={formatCost(total)}
      series={COST_SERIES}
      testId="chart-cost"
      empty={total === 0 && "No cost recorded: LLM spans report costUsd"}
    >
      <AreaChart responsive style={{ width: "100%", height: 180 }} data={data} margin={CHART_MARGIN}>
        <defs>
          <linearGradient id={gradientId} x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" stopColor="var(--chart-cost)" stopOpacity={0.35} />
            <stop offset="100%" stopColor="var(--chart-cost)" stopOpacity={0.02} />
          </linearGradient>
        </defs>
        <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
        <XAxis {...timeAxis} />
        <YAxis width={48} tickFormatter={formatCost} tick={AXIS_TICK} tickLine={false} axisLine={false} />
        <Tooltip
          cursor={LINE_CURSOR}
          isAnimationActive={false}
          content={({ active, payload }) => (
            <BucketTooltip
              active={active}
              payload={payload}
              bucketMs={bucketMs}
              series={COST_SERIES}
              footer={(d) => (d.runs > 0 ? `${formatCost(d.cost / d.runs)} per run` : "No runs")}
            />
          )}
        />
        <Area
          type="monotone"
          dataKey="cost"
          name="Cost"
          stroke="var(--chart-cost)"
          strokeWidth={2}
          fill={`url(#${gradientId})`}
          activeDot={{ r: 4, strokeWidth: 2, stroke: "var(--chart-surface)" }}
          isAnimationActive={false}
        />
      </AreaChart>
    </ChartCard>
  );
}

/**
 * Every chart of the Overview, with the failed runs beside the runs chart. Its own chunk (Recharts is most of the
 * Overview's weight), fetched as soon as the page's code arrives, while the page waits for its data.
 */
export default function OverviewCharts({
  orgId,
  range,
  buckets,
  bucketMs,
  totals,
}: {
  orgId: string;
  range: OverviewRange;
  buckets: readonly OverviewBucket[];
  bucketMs: number;
  totals: OverviewBucket;
}) {
  const data = useMemo(() => toData(buckets), [buckets]);
  return (
    <>
      <div className="grid gap-4 lg:grid-cols-3">
        <div className="min-w-0 lg:col-span-2">
          <RunsChart data={data} bucketMs={bucketMs} total={totals.runs} />
        </div>
        <RecentErrors orgId={orgId} range={range} from={buckets[0]?.t ?? totals.t} />
      </div>
      <div className="grid gap-4 md:grid-cols-2">
        <ErrorRateChart data={data} bucketMs={bucketMs} total={errorRate(totals.errors, totals.runs)} />
        <LatencyChart data={data} bucketMs={bucketMs} p50={totals.p50Ms} p95={totals.p95Ms} />
        <TokensChart data={data} bucketMs={bucketMs} total={totals.inputTokens + totals.outputTokens} />
        <CostChart data={data} bucketMs={bucketMs} total={totals.costUsd} />
      </div>
    </>
  );
}
