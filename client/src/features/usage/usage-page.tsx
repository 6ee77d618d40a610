import { CalendarClock, Gauge, Trash2 } from "lucide-react";
import { lazy, Suspense } from "react";
import { Alert } from "../../components/alert.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { trpc } from "../../lib/trpc.ts";
import { useCurrentOrg } from "../session/use-current-org.ts";
import { LimitsForm } from "./limits-form.tsx";
import { daysUntil, formatCount, formatResetDate } from "./usage-format.ts";
import { UsageMeter } from "./usage-meter.tsx";
import "./usage.css";

const UsageCharts = lazy(() => import("./usage-charts.tsx"));

function Fact({ icon: Icon, label, value }: { icon: typeof Gauge; label: string; value: string }) {
  return (
    <div className="flex items-center gap-3">
      <span className="flex size-8 items-center justify-center rounded-md bg-zinc-100 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">
        <Icon aria-hidden="true" className="size-4" />
      </span>
      <div>
        <p className="text-xs text-zinc-500 dark:text-zinc-400">{label}</p>
        <p className="text-sm font-medium text-zinc-900 dark:text-zinc-100">{value}</p>
      </div>
    </div>
  );
}

export default function UsagePage() {
  const { org } = useCurrentOrg();
  const usage = trpc.usage.get.useQuery({ orgId: org.id }, { refetchInterval: 30_000 });
  const report = usage.data;

  return (
    <div className="echos-usage mx-auto max-w-6xl">
      <PageHeader
        title="Usage"
        description="Spans ingested and replays run this month, against the organisation's limits. Replays count as replays, not as runs. Owners and admins get an e-mail at 90 % and at 100 %."
      />
      <Alert>{errorMessage(usage.error)}</Alert>
      {!report ? (
        !usage.error && (
          <div className="animate-pulse space-y-4">
            <div className="grid gap-4 md:grid-cols-2">
              <div className="h-40 rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
              <div className="h-40 rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
            </div>
            <div className="h-72 rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
          </div>
        )
      ) : (
        <div className="space-y-6">
          <div className="grid gap-4 md:grid-cols-2">
            <UsageMeter
              label="Spans ingested"
              used={report.spans.used}
              limit={report.spans.limit}
              testId="meter-spans"
            />
            <UsageMeter
              label="Replays run"
              used={report.replays.used}
              limit={report.replays.limit}
              testId="meter-replays"
            />
          </div>
          <div className="flex flex-wrap gap-x-10 gap-y-4 rounded-lg border border-zinc-200 bg-white px-5 py-4 shadow-xs dark:border-zinc-800 dark:bg-zinc-900">
            <Fact
              icon={CalendarClock}
              label="Counts reset"
              value={`${formatResetDate(report.resetsAt)} (in ${daysUntil(report.resetsAt)} days)`}
            />
            <Fact icon={Gauge} label="Production runs this month" value={formatCount(report.runs)} />
            <Fact
              icon={Trash2}
              label="Runs are kept"
              value={report.retentionDays === 0 ? "Forever" : `${report.retentionDays} days`}
            />
          </div>
          <Suspense
            fallback={<div className="h-[298px] animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />}
          >
            <UsageCharts report={report} />
          </Suspense>
          {org.role === "owner" ? (
            <LimitsForm key={JSON.stringify(report.overrides)} orgId={org.id} report={report} />
          ) : (
            <p className="text-sm text-zinc-500 dark:text-zinc-400">Only owners can change the limits and retention.</p>
          )}
        </div>
      )}
    </div>
  );
}
