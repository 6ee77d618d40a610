import { RefreshCw, ServerCrash, WifiOff } from "lucide-react";
import type { ReactNode } from "react";
import { PageHeader } from "../../components/page-header.tsx";
import { PageLoader } from "../../components/page-loader.tsx";
import { LiveBadge } from "../../lib/live/live-badge.tsx";
import { SERVICE_NAMES } from "../../lib/service-meta.ts";
import { trpc } from "../../lib/trpc.ts";
import { useNow } from "../../lib/use-now.ts";
import { InstancesTable } from "./instances-table.tsx";
import { ServiceCard } from "./service-card.tsx";
import { SystemSummary } from "./system-summary.tsx";
import { useLiveStatus } from "./use-live-status.ts";

function Section({ title, description, children }: { title: string; description: string; children: ReactNode }) {
  return (
    <section className="mt-10">
      <h2 className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">{title}</h2>
      <p className="mt-0.5 mb-4 text-sm text-zinc-500 dark:text-zinc-400">{description}</p>
      {children}
    </section>
  );
}

function Unreachable({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <div
      role="alert"
      className="flex flex-col items-center rounded-lg border border-zinc-200 bg-white px-6 py-14 text-center dark:border-zinc-800 dark:bg-zinc-900"
    >
      <ServerCrash aria-hidden="true" className="size-8 text-rose-500" />
      <h2 className="mt-4 text-base font-semibold text-zinc-900 dark:text-zinc-100">Can’t reach the Echos server</h2>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{message}</p>
      <button
        type="button"
        onClick={onRetry}
        className="mt-6 inline-flex items-center gap-1.5 rounded-md border border-zinc-200 bg-white px-3 py-1.5 text-sm font-medium text-zinc-800 shadow-xs hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-800 dark:text-zinc-100 dark:hover:bg-zinc-700"
      >
        <RefreshCw aria-hidden="true" className="size-4" />
        Try again
      </button>
    </div>
  );
}

export default function SystemPage() {
  // The live stream (see LiveStatusProvider) writes each report into this query's cache, so it stays current.
  const health = trpc.system.health.useQuery();
  const instances = trpc.system.instances.useQuery(undefined, { refetchInterval: 15_000 });
  const live = useLiveStatus();
  const now = useNow();
  const report = health.data;

  return (
    <>
      <PageHeader
        title="System"
        description="Health of this Echos instance and the services it depends on, streamed live."
        actions={<LiveBadge connection={live.connection} testId="live-indicator" />}
      />
      {live.connection.state !== "live" && live.receivedAt !== null && (
        <p className="mb-4 flex items-center gap-2 rounded-lg border border-amber-200 bg-amber-50 px-4 py-2.5 text-sm text-amber-900 dark:border-amber-900/60 dark:bg-amber-950/30 dark:text-amber-200">
          <WifiOff aria-hidden="true" className="size-4" />
          Live updates interrupted; showing the last known state while reconnecting.
        </p>
      )}
      {!report ? (
        health.isError ? (
          <Unreachable message={health.error.message} onRetry={() => void health.refetch()} />
        ) : (
          <PageLoader />
        )
      ) : (
        <>
          <SystemSummary
            report={report}
            updatedAt={health.dataUpdatedAt}
            now={now}
            live={live.connection.state === "live"}
          />
          <Section title="Services" description="Dependencies of this instance, checked on every report.">
            <div className="grid gap-4 md:grid-cols-3">
              {SERVICE_NAMES.map((name) => (
                <ServiceCard key={name} name={name} state={report.services[name]} detail={report.details[name]} />
              ))}
            </div>
          </Section>
          <Section
            title="Instances"
            description="Server processes that sent a heartbeat in the last minute, including those behind the same load balancer."
          >
            {instances.data ? (
              <InstancesTable instances={instances.data} currentId={report.instanceId} now={now} />
            ) : instances.isError ? (
              <p className="text-sm text-rose-600 dark:text-rose-400">
                Could not load instances: {instances.error.message}
              </p>
            ) : (
              <div className="h-24 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
            )}
          </Section>
        </>
      )}
    </>
  );
}
