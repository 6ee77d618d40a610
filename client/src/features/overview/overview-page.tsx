import { keepPreviousData } from "@tanstack/react-query";
import { clsx } from "clsx";
import { RefreshCw } from "lucide-react";
import { lazy, Suspense, useCallback } from "react";
import { useSearchParams } from "react-router";
import type { OverviewRange } from "@shared/schemas/runs.ts";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { formatInteger } from "../../lib/run-format.ts";
import { LiveBadge } from "../../lib/live/live-badge.tsx";
import { useLiveSubscription } from "../../lib/live/use-live-subscription.ts";
import { trpc } from "../../lib/trpc.ts";
import { useThrottledCallback } from "../../lib/use-throttled-callback.ts";
import { SampleDataBanner } from "../sample-data/sample-data-banner.tsx";
import { useCurrentOrg } from "../session/use-current-org.ts";
import { FirstSteps } from "./first-steps.tsx";
import { OverviewStats, OverviewStatsSkeleton } from "./overview-stats.tsx";
import { OVERVIEW_RANGES, parseRange, RANGE_LABELS } from "./time-axis.ts";
import "./overview.css";

// Recharts is most of the Overview's weight: its chunk starts loading with this module, beside the page's query.
const loadCharts = () => import("./overview-charts.tsx");
void loadCharts();
const OverviewCharts = lazy(loadCharts);

/** Live events refresh the page at most this often while they keep coming. */
const REFRESH_MS = 5_000;

function RangeSwitcher({ value, onChange }: { value: OverviewRange; onChange: (range: OverviewRange) => void }) {
  return (
    <div
      role="group"
      aria-label="Time range"
      className="inline-flex rounded-lg bg-zinc-100 p-0.5 ring-1 ring-zinc-200 ring-inset dark:bg-zinc-900 dark:ring-zinc-800"
    >
      {OVERVIEW_RANGES.map((range) => (
        <button
          key={range}
          type="button"
          aria-pressed={range === value}
          data-testid={`range-${range}`}
          onClick={() => onChange(range)}
          className={clsx(
            "rounded-md px-3 py-1 text-sm font-medium whitespace-nowrap transition-colors",
            range === value
              ? "bg-white text-zinc-900 shadow-xs ring-1 ring-zinc-900/5 dark:bg-zinc-700 dark:text-zinc-50 dark:ring-white/10"
              : "text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100",
          )}
        >
          {RANGE_LABELS[range].short}
        </button>
      ))}
    </div>
  );
}

function ChartsSkeleton() {
  return (
    <div className="animate-pulse space-y-4">
      <div className="grid gap-4 lg:grid-cols-3">
        <div className="h-[298px] rounded-lg bg-zinc-200/60 lg:col-span-2 dark:bg-zinc-800/50" />
        <div className="h-[298px] rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
      </div>
      <div className="grid gap-4 md:grid-cols-2">
        {Array.from({ length: 4 }, (_, i) => (
          <div key={i} className="h-[238px] rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
        ))}
      </div>
    </div>
  );
}

export default function OverviewPage() {
  const { org } = useCurrentOrg();
  const orgId = org.id;
  const [params, setParams] = useSearchParams();
  const range = parseRange(params.get("range"));
  const utils = trpc.useUtils();

  const overview = trpc.runs.overview.useQuery({ orgId, range }, { placeholderData: keepPreviousData });
  const data = overview.data;
  // No run in the range: show the setup steps only if the organisation never had one at all.
  const noneInRange = data !== undefined && !overview.isPlaceholderData && data.totals.runs === 0;
  const ever = trpc.runs.list.useQuery({ orgId, limit: 1 }, { enabled: noneInRange });
  const neverHadRuns = noneInRange && ever.data?.items.length === 0;
  const waitingForEver = noneInRange && ever.isPending;

  const refresh = useThrottledCallback(
    useCallback(() => {
      void utils.runs.overview.invalidate({ orgId });
      void utils.runs.list.invalidate({ orgId });
    }, [utils, orgId]),
    REFRESH_MS,
  );
  // Followed from now on: any change, a reset or a restart that may have missed some refreshes the page.
  const connection = useLiveSubscription(
    trpc.runs.live,
    { orgId },
    {
      onData: (event) => (event.type === "reset" || event.runs.length > 0 ? refresh() : undefined),
      onGap: refresh,
    },
  );

  const setRange = (next: OverviewRange) =>
    setParams(
      (prev) => {
        const updated = new URLSearchParams(prev);
        updated.set("range", next);
        return updated;
      },
      { replace: false },
    );

  const header = (
    <PageHeader
      title="Overview"
      description="How your agents are doing at a glance, in your local time."
      actions={
        <>
          <LiveBadge connection={connection} testId="overview-live" />
          {!neverHadRuns && <RangeSwitcher value={range} onChange={setRange} />}
        </>
      }
    />
  );

  if (neverHadRuns) {
    return (
      <>
        {header}
        <FirstSteps />
      </>
    );
  }

  if (!data) {
    return (
      <>
        {header}
        {overview.isError ? (
          <div className="space-y-3">
            <Alert>Could not load the overview: {errorMessage(overview.error)}</Alert>
            <Button onClick={() => void overview.refetch()}>
              <RefreshCw aria-hidden="true" className="size-4" />
              Try again
            </Button>
          </div>
        ) : (
          <div className="space-y-6">
            <OverviewStatsSkeleton />
            <ChartsSkeleton />
          </div>
        )}
      </>
    );
  }

  const { totals, bucketMs } = data;
  const rangeLabel = RANGE_LABELS[data.range].long;
  return (
    <div className="echos-overview" data-testid="overview" data-range={data.range}>
      {header}
      <SampleDataBanner />
      {overview.isError && (
        <Alert className="mb-4">Could not refresh the overview: {errorMessage(overview.error)}</Alert>
      )}
      <div
        className={clsx("space-y-4 transition-opacity", (overview.isPlaceholderData || waitingForEver) && "opacity-60")}
        aria-busy={overview.isPlaceholderData || undefined}
      >
        <OverviewStats totals={totals} rangeLabel={rangeLabel} />
        {data.replays > 0 && (
          <p className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="overview-replays">
            Production runs only: {formatInteger(data.replays)} {data.replays === 1 ? "replay" : "replays"} in{" "}
            {rangeLabel} {data.replays === 1 ? "is" : "are"} left out of these numbers.
          </p>
        )}
        {totals.runs === 0 && !waitingForEver && (
          <p className="rounded-lg border border-dashed border-zinc-300 px-4 py-3 text-center text-sm text-zinc-500 dark:border-zinc-700 dark:text-zinc-400">
            No runs in {rangeLabel}. Pick a longer range, or wait for your agents: new runs appear here as they arrive.
          </p>
        )}
        <Suspense fallback={<ChartsSkeleton />}>
          <OverviewCharts
            range={data.range}
            needsAttention={data.needsAttention}
            buckets={data.buckets}
            bucketMs={bucketMs}
            totals={totals}
          />
        </Suspense>
      </div>
    </div>
  );
}
