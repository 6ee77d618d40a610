import { useCallback, useEffect, useRef, useState } from "react";

const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 30_000;
/** A connection that stayed up this long counts as healthy: the next failure starts the backoff again. */
const HEALTHY_AFTER_MS = 30_000;

export type SubscriptionStatus = "idle" | "connecting" | "pending" | "error";
export type LiveConnection = "connecting" | "live" | "error";

/**
 * Keeps a tracked tRPC subscription going across failures, like the app's status stream (LiveStatusProvider): the
 * browser's EventSource (and tRPC's link) reconnects dropped connections by itself and resends the last event id,
 * but a stream the server ends (an instance shutting down) or an error stops the subscription. This starts it again
 * with exponential backoff, from the last event received rather than the first page's id, so nothing is replayed
 * twice and nothing is missed.
 *
 * `startId` is the event id of the snapshot the page rendered (`list`'s or `get`'s `eventId`).
 */
export function useResumableStream(startId: string | null) {
  const [resumeFrom, setResumeFrom] = useState<string | null>(null);
  const lastId = useRef<string | null>(null);
  const failures = useRef(0);

  /** Call from `onData` with the event's id. */
  const track = useCallback((id: string | undefined) => {
    if (id) lastId.current = id;
    failures.current = 0;
  }, []);

  /** Starts the subscription again: a new input (the last id seen) restarts it by itself; the same one needs `reset`. */
  const restart = useCallback(
    (reset: () => void) => {
      if (lastId.current !== null && lastId.current !== resumeFrom) setResumeFrom(lastId.current);
      else reset();
    },
    [resumeFrom],
  );

  return { lastEventId: resumeFrom ?? startId, track, restart, failuresRef: failures };
}

/** Watches a subscription's status and restarts it with backoff when it stops. Returns what to show the user. */
export function useRestartWithBackoff(
  stream: ReturnType<typeof useResumableStream>,
  status: SubscriptionStatus,
  reset: () => void,
  enabled: boolean,
): LiveConnection {
  const { restart, failuresRef } = stream;
  const connectedAt = useRef<number | null>(null);
  useEffect(() => {
    if (!enabled) return;
    if (status === "pending") {
      connectedAt.current = Date.now();
      return;
    }
    if (status !== "idle" && status !== "error") return;
    if (connectedAt.current !== null && Date.now() - connectedAt.current > HEALTHY_AFTER_MS) failuresRef.current = 0;
    connectedAt.current = null;
    const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** failuresRef.current);
    failuresRef.current += 1;
    const timer = setTimeout(() => restart(reset), delay);
    return () => clearTimeout(timer);
  }, [status, reset, restart, enabled, failuresRef]);
  return status === "pending" ? "live" : status === "error" ? "error" : "connecting";
}
