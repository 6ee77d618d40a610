import { Activity, CircleDollarSign, Coins, Timer, TriangleAlert, type LucideIcon } from "lucide-react";
import { clsx } from "clsx";
import type { ReactNode } from "react";
import { Link } from "react-router";
import type { OverviewBucket } from "@shared/schemas/runs.ts";
import { UNPRICED_CLASS, modelPricesPath } from "../../components/cost.tsx";
import { formatCost, formatCostExact, formatInteger, formatMs, formatTokens } from "../../lib/run-format.ts";
import { errorRate, formatPercent } from "./overview-data.ts";

function StatCard({
  icon: Icon,
  label,
  children,
  note,
}: {
  icon: LucideIcon;
  label: string;
  children: ReactNode;
  note: ReactNode;
}) {
  return (
    <div className="min-w-0 rounded-lg border border-zinc-200 bg-white px-4 py-3.5 shadow-xs dark:border-zinc-800 dark:bg-zinc-900">
      <dt className="flex items-center gap-1.5 text-xs font-medium text-zinc-500 dark:text-zinc-400">
        <Icon aria-hidden="true" className="size-3.5" />
        {label}
      </dt>
      <dd className="mt-2 flex min-w-0 items-baseline text-zinc-900 tabular-nums dark:text-zinc-50">{children}</dd>
      <dd className="mt-1 truncate text-xs text-zinc-500 dark:text-zinc-400">{note}</dd>
    </div>
  );
}

const BIG = "truncate text-2xl font-semibold tracking-tight";

/** The range's totals: runs, error rate, latency percentiles, tokens and cost. */
export function OverviewStats({ totals, rangeLabel }: { totals: OverviewBucket; rangeLabel: string }) {
  const rate = errorRate(totals.errors, totals.runs);
  const finished = totals.p50Ms !== null;
  return (
    <dl className="grid grid-cols-2 gap-4 md:grid-cols-3 xl:grid-cols-6" data-testid="overview-stats">
      <StatCard icon={Activity} label="Runs" note={`in ${rangeLabel}`}>
        <span className={BIG} data-testid="stat-runs">
          {formatInteger(totals.runs)}
        </span>
      </StatCard>
      <StatCard
        icon={TriangleAlert}
        label="Error rate"
        note={
          totals.runs > 0 ? `${formatInteger(totals.errors)} of ${formatInteger(totals.runs)} runs failed` : "No runs"
        }
      >
        <span
          className={`${BIG} ${rate !== null && rate > 0 ? "text-rose-600 dark:text-rose-400" : ""}`}
          data-testid="stat-error-rate"
        >
          {formatPercent(rate)}
        </span>
      </StatCard>
      <StatCard icon={Timer} label="Latency p50" note={finished ? "median run" : "No finished runs"}>
        <span className={BIG} data-testid="stat-p50">
          {formatMs(totals.p50Ms)}
        </span>
      </StatCard>
      <StatCard icon={Timer} label="Latency p95" note={finished ? "95th percentile" : "No finished runs"}>
        <span className={BIG} data-testid="stat-p95">
          {formatMs(totals.p95Ms)}
        </span>
      </StatCard>
      <StatCard
        icon={Coins}
        label="Tokens"
        note={
          <>
            <span title={`${formatInteger(totals.inputTokens)} input tokens`} data-testid="stat-tokens-in">
              {formatTokens(totals.inputTokens)}
            </span>{" "}
            in ·{" "}
            <span title={`${formatInteger(totals.outputTokens)} output tokens`} data-testid="stat-tokens-out">
              {formatTokens(totals.outputTokens)}
            </span>{" "}
            out
          </>
        }
      >
        <span
          className={BIG}
          title={`${formatInteger(totals.inputTokens + totals.outputTokens)} tokens`}
          data-testid="stat-tokens"
        >
          {formatTokens(totals.inputTokens + totals.outputTokens)}
        </span>
      </StatCard>
      <StatCard
        icon={CircleDollarSign}
        label="Cost"
        note={
          totals.unpricedCount > 0 ? (
            <Link
              to={modelPricesPath()}
              className={clsx(UNPRICED_CLASS, "hover:underline")}
              title="Calls whose model has no known price are left out of the cost. Add their models in Settings → Models."
              data-testid="stat-cost-unpriced"
            >
              + {formatInteger(totals.unpricedCount)} unpriced {totals.unpricedCount === 1 ? "call" : "calls"}
            </Link>
          ) : totals.runs > 0 ? (
            `${formatCost(totals.costUsd / totals.runs)} per run`
          ) : (
            "No runs"
          )
        }
      >
        {totals.unpricedCount > 0 && totals.costUsd === 0 ? (
          <span className={clsx(BIG, UNPRICED_CLASS)} data-testid="stat-cost">
            No price known
          </span>
        ) : (
          <span className={BIG} title={formatCostExact(totals.costUsd)} data-testid="stat-cost">
            {formatCost(totals.costUsd)}
          </span>
        )}
      </StatCard>
    </dl>
  );
}

/** Placeholders in the shape of the stats while the first answer loads. */
export function OverviewStatsSkeleton() {
  return (
    <div className="grid animate-pulse grid-cols-2 gap-4 md:grid-cols-3 xl:grid-cols-6">
      {Array.from({ length: 6 }, (_, i) => (
        <div key={i} className="h-[98px] rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
      ))}
    </div>
  );
}
