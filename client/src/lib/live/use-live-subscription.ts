import { type SkipToken, skipToken } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { LiveConnection, LiveState, SubscriptionStatus } from "./live-connection.ts";
import { useOnline } from "./use-online.ts";

const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 30_000;
/** A connection that stayed up this long counts as healthy: the next failure starts the backoff again. */
const HEALTHY_AFTER_MS = 30_000;

/** A tRPC subscription procedure of the React client (`trpc.runs.live`), whose events are `tracked()`. */
export interface LiveProcedure<TInput, TEvent extends TrackedEvent> {
  useSubscription(
    input: TInput | SkipToken,
    opts: { onData: (event: TEvent) => void },
  ): { status: SubscriptionStatus; reset: () => void; error?: { message: string } | null };
}
type TrackedEvent = { id: string; data: unknown };

export interface LiveSubscriptionOptions<TData> {
  /** The event id of the snapshot the page rendered (`list`'s or `get`'s `eventId`); none: from now, or the start. */
  startId?: string | null;
  onData: (data: TData, id: string) => void;
  /**
   * The stream started again without a position to resume from (it had received nothing since it began "from
   * now"), so events may have been missed meanwhile: refresh what it keeps current.
   */
  onGap?: () => void;
}

/**
 * Follows a live subscription and keeps it going. The browser's EventSource (and tRPC's link) reconnects dropped
 * connections by itself and resends the last event id; a stream the server ends (an instance shutting down) or an
 * error stops the subscription, and this starts it again with exponential backoff — from the last event received,
 * so nothing is missed or repeated — or at once when the browser comes back online.
 *
 * `input` is the procedure's input without `lastEventId` (or `skipToken`); the position is this hook's to add.
 */
export function useLiveSubscription<TInput extends object, TEvent extends TrackedEvent>(
  procedure: LiveProcedure<TInput, TEvent>,
  input: TInput | SkipToken,
  { startId = null, onData, onGap }: LiveSubscriptionOptions<TEvent["data"]>,
): LiveConnection {
  const enabled = input !== skipToken;
  const online = useOnline();
  const [resumeFrom, setResumeFrom] = useState<string | null>(null);
  const [restarted, setRestarted] = useState(false);
  const lastId = useRef<string | null>(null);
  const failures = useRef(0);
  const gap = useRef(false);
  const lastEventId = resumeFrom ?? startId;

  const subscription = procedure.useSubscription(
    input === skipToken ? skipToken : lastEventId === null ? input : { ...input, lastEventId },
    {
      onData: (event) => {
        lastId.current = event.id;
        failures.current = 0;
        onData(event.data, event.id);
      },
    },
  );
  const { status, reset } = subscription;

  const latestOnGap = useRef(onGap);
  useEffect(() => {
    latestOnGap.current = onGap;
  }, [onGap]);

  /** A new position restarts the subscription by itself (its input changed); the same one needs `reset`. */
  const restart = useCallback(() => {
    setRestarted(true);
    const id = lastId.current;
    if (id === null && startId === null) gap.current = true;
    if (id !== null && id !== lastEventId) setResumeFrom(id);
    else reset();
  }, [lastEventId, reset, startId]);

  // Back online, the old connection may be dead without knowing it yet: start again at once, from the last event.
  useEffect(() => {
    if (!enabled) return;
    const onOnline = () => {
      failures.current = 0;
      restart();
    };
    window.addEventListener("online", onOnline);
    return () => window.removeEventListener("online", onOnline);
  }, [enabled, restart]);

  const connectedAt = useRef<number | null>(null);
  useEffect(() => {
    if (!enabled) return;
    if (status === "pending") {
      connectedAt.current = Date.now();
      if (gap.current) {
        gap.current = false;
        latestOnGap.current?.();
      }
      return;
    }
    if (status !== "idle" && status !== "error") return;
    if (connectedAt.current !== null && Date.now() - connectedAt.current > HEALTHY_AFTER_MS) failures.current = 0;
    connectedAt.current = null;
    const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** failures.current);
    // Counted when the attempt is made: a timer cleared by a re-render was no attempt.
    const timer = setTimeout(() => {
      failures.current += 1;
      restart();
    }, delay);
    return () => clearTimeout(timer);
  }, [enabled, status, restart]);

  const error = subscription.error?.message ?? null;
  // Offline first: a connection that looks open carries nothing without a network.
  const state: LiveState = !online
    ? "offline"
    : enabled && status === "pending"
      ? "live"
      : !enabled || (status === "connecting" && !error && !restarted)
        ? "connecting"
        : "reconnecting";
  return useMemo(() => ({ state, error: state === "live" ? null : error }), [state, error]);
}
