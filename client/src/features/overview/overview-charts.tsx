import { useMemo } from "react";
import type { OverviewBucket, OverviewRange, RunSummary } from "@shared/schemas/runs.ts";
import { toData } from "./charts/chart-data.ts";
import { CostChart } from "./charts/cost-chart.tsx";
import { ErrorRateChart } from "./charts/error-rate-chart.tsx";
import { LatencyChart } from "./charts/latency-chart.tsx";
import { RunsChart } from "./charts/runs-chart.tsx";
import { TokensChart } from "./charts/tokens-chart.tsx";
import { errorRate } from "./overview-data.ts";
import { RecentErrors } from "./recent-errors.tsx";

/**
 * Every chart of the Overview, with the failed runs beside the runs chart. Its own chunk (Recharts is most of the
 * Overview's weight), fetched as soon as the page's code arrives, while the page waits for its data.
 */
export default function OverviewCharts({
  range,
  needsAttention,
  buckets,
  bucketMs,
  totals,
}: {
  range: OverviewRange;
  needsAttention: readonly RunSummary[];
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
        <RecentErrors range={range} items={needsAttention} />
      </div>
      <div className="grid gap-4 md:grid-cols-2">
        <ErrorRateChart data={data} bucketMs={bucketMs} total={errorRate(totals.errors, totals.runs)} />
        <LatencyChart data={data} bucketMs={bucketMs} p50={totals.p50Ms} p95={totals.p95Ms} />
        <TokensChart data={data} bucketMs={bucketMs} total={totals.inputTokens + totals.outputTokens} />
        <CostChart data={data} bucketMs={bucketMs} total={totals.costUsd} unpriced={totals.unpricedCount} />
      </div>
    </>
  );
}
