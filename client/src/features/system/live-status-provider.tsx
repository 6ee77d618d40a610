import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { trpc } from "../../lib/trpc.ts";
import type { HealthReport } from "../../lib/service-meta.ts";
import { LiveStatusContext, type LiveConnection, type LiveStatus } from "./live-status-context.ts";

const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/**
 * Holds the one `system.status` subscription of the app, so the top bar and the System page share a single
 * SSE connection. Each event also refreshes the cached `system.health` query.
 */
export function LiveStatusProvider({ children }: { children: ReactNode }) {
  const utils = trpc.useUtils();
  const [latest, setLatest] = useState<{ report: HealthReport; receivedAt: number } | null>(null);
  const failures = useRef(0);

  const subscription = trpc.system.status.useSubscription(undefined, {
    // Events are `tracked()` on the server, so each arrives as `{ id, data }`.
    onData: ({ data }) => {
      failures.current = 0;
      setLatest({ report: data, receivedAt: Date.now() });
      utils.system.health.setData(undefined, data);
    },
  });
  const { status, reset } = subscription;

  // The browser's EventSource retries dropped connections by itself, but a stream the server ends (an instance
  // shutting down gracefully) or an unrecoverable error stops the subscription: start it again, with backoff.
  useEffect(() => {
    if (status !== "idle" && status !== "error") return;
    const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** failures.current);
    failures.current += 1;
    const timer = setTimeout(reset, delay);
    return () => clearTimeout(timer);
  }, [status, reset]);

  const connection: LiveConnection =
    status === "error" ? "error" : status === "pending" && latest !== null ? "live" : "connecting";
  const error = subscription.error?.message ?? null;

  const value = useMemo<LiveStatus>(
    () => ({ connection, report: latest?.report ?? null, receivedAt: latest?.receivedAt ?? null, error }),
    [connection, latest, error],
  );

  return <LiveStatusContext value={value}>{children}</LiveStatusContext>;
}
