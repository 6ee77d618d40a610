import { useMemo, useState, type ReactNode } from "react";
import { useLiveSubscription } from "../../lib/live/use-live-subscription.ts";
import type { HealthReport } from "../../lib/service-meta.ts";
import { trpc } from "../../lib/trpc.ts";
import { LiveStatusContext, type LiveStatus } from "./live-status-context.ts";

/**
 * Holds the one `system.status` subscription of the app, so the top bar and the System page share a single
 * SSE connection. Each event also refreshes the cached `system.health` query.
 */
export function LiveStatusProvider({ children }: { children: ReactNode }) {
  const utils = trpc.useUtils();
  const [latest, setLatest] = useState<{ report: HealthReport; receivedAt: number } | null>(null);
  const connection = useLiveSubscription(
    trpc.system.status,
    {},
    {
      onData: (report) => {
        setLatest({ report, receivedAt: Date.now() });
        utils.system.health.setData(undefined, report);
      },
    },
  );

  const value = useMemo<LiveStatus>(
    () => ({ connection, report: latest?.report ?? null, receivedAt: latest?.receivedAt ?? null }),
    [connection, latest],
  );

  return <LiveStatusContext value={value}>{children}</LiveStatusContext>;
}
