import { useEffect, useRef } from "react";
import type { RunSummary } from "../../../shared/schemas/runs.ts";
import { trpc } from "./trpc.ts";

export type RunsLiveConnection = "connecting" | "live" | "error";

const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/**
 * Follows the organisation's `runs.live` stream from now on, for pages that only need to know *that* runs changed
 * (the Overview, Conversations) rather than keep every event. `onRuns` gets each batch of changed runs, or `null`
 * when anything may have changed: the server could not fill a gap (`reset`), or the stream stopped and was started
 * again (with backoff) after a break in which events may have been missed. The browser's own reconnects resume from
 * the last event and need nothing.
 */
export function useRunsLive(orgId: string, onRuns: (runs: RunSummary[] | null) => void): RunsLiveConnection {
  const subscription = trpc.runs.live.useSubscription(
    { orgId, lastEventId: null },
    {
      // Events are `tracked()` on the server, so each arrives as `{ id, data }`.
      onData: ({ data }) => onRuns(data.type === "reset" ? null : data.runs),
    },
  );
  const { status, reset } = subscription;

  const latest = useRef(onRuns);
  useEffect(() => {
    latest.current = onRuns;
  }, [onRuns]);

  const failures = useRef(0);
  const restarted = useRef(false);
  useEffect(() => {
    if (status === "pending") {
      if (restarted.current) latest.current(null);
      restarted.current = false;
      failures.current = 0;
      return;
    }
    if (status !== "idle" && status !== "error") return;
    const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** failures.current);
    failures.current += 1;
    const timer = setTimeout(() => {
      restarted.current = true;
      reset();
    }, delay);
    return () => clearTimeout(timer);
  }, [status, reset]);

  return status === "pending" ? "live" : status === "error" ? "error" : "connecting";
}
