import type { ReactNode } from "react";
import { StatusBadge, toneFor } from "../../components/status-badge.tsx";
import { formatAgo, formatDuration } from "../../lib/format.ts";
import type { OverallStatus, HealthReport } from "../../lib/service-meta.ts";

const HEADLINES: Record<OverallStatus, { title: string; text: string }> = {
  ok: { title: "All systems operational", text: "Everything this instance depends on is healthy." },
  degraded: {
    title: "Degraded",
    text: "A dependency is impaired. Echos keeps serving on its fallbacks, but instances may not share live events.",
  },
  error: {
    title: "Down",
    text: "A required dependency is failing. Requests that need it will fail until it recovers.",
  },
};

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="mt-1 truncate text-sm font-medium text-zinc-900 dark:text-zinc-100">{children}</dd>
    </div>
  );
}

interface SystemSummaryProps {
  report: HealthReport;
  /** Client time (epoch ms) the report arrived, and the current time, for ticking relative values. */
  updatedAt: number;
  now: number;
  /** Whether updates are flowing; a stale report's uptime is not extrapolated. */
  live: boolean;
}

export function SystemSummary({ report, updatedAt, now, live }: SystemSummaryProps) {
  const headline = HEADLINES[report.status];
  const uptime = live ? report.uptime + Math.max(0, now - updatedAt) / 1000 : report.uptime;
  return (
    <section
      aria-labelledby="summary-title"
      className="rounded-lg border border-zinc-200 bg-white shadow-xs dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex flex-wrap items-start justify-between gap-4 p-5">
        <div className="flex items-start gap-4">
          <StatusBadge tone={toneFor(report.status)} size="md" data-testid="system-status" className="mt-0.5">
            {report.status}
          </StatusBadge>
          <div>
            <h2 id="summary-title" className="text-base font-semibold text-zinc-900 dark:text-zinc-50">
              {headline.title}
            </h2>
            <p className="mt-0.5 text-sm text-zinc-600 dark:text-zinc-400">{headline.text}</p>
          </div>
        </div>
        <p className="text-xs text-zinc-500 tabular-nums dark:text-zinc-400" data-testid="system-updated">
          updated {formatAgo(updatedAt, now)}
        </p>
      </div>
      <dl className="grid grid-cols-2 gap-x-6 gap-y-4 border-t border-zinc-200 px-5 py-4 sm:grid-cols-3 lg:grid-cols-5 dark:border-zinc-800">
        <Fact label="Version">
          <span className="font-mono">{report.version}</span>
        </Fact>
        <Fact label="Environment">{report.environment}</Fact>
        <Fact label="Instance">
          <span className="font-mono" title={report.instanceId}>
            {report.instanceId}
          </span>
        </Fact>
        <Fact label="Uptime">
          <span className="tabular-nums">{formatDuration(uptime)}</span>
        </Fact>
        <Fact label="Readiness">{report.ready ? "Ready" : "Not ready"}</Fact>
      </dl>
    </section>
  );
}
