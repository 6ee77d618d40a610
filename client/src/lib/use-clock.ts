import { useCallback, useSyncExternalStore } from "react";

/**
 * One timer per interval for the whole page, however many components tick: a table of running runs re-renders
 * only the cells that show a live duration, on the same beat, instead of each row keeping its own interval.
 */
interface Clock {
  now: number;
  listeners: Set<() => void>;
  timer: ReturnType<typeof setInterval> | null;
}

const clocks = new Map<number, Clock>();

function clockFor(intervalMs: number): Clock {
  let clock = clocks.get(intervalMs);
  if (!clock) {
    clock = { now: Date.now(), listeners: new Set(), timer: null };
    clocks.set(intervalMs, clock);
  }
  return clock;
}

function subscribe(intervalMs: number, listener: () => void): () => void {
  const clock = clockFor(intervalMs);
  clock.listeners.add(listener);
  if (!clock.timer) {
    clock.now = Date.now();
    clock.timer = setInterval(() => {
      clock.now = Date.now();
      for (const l of clock.listeners) l();
    }, intervalMs);
  }
  return () => {
    clock.listeners.delete(listener);
    if (clock.listeners.size === 0 && clock.timer) {
      clearInterval(clock.timer);
      clock.timer = null;
    }
  };
}

const noop = () => () => {};

/**
 * The current time (epoch ms), updated every `intervalMs` while `active`; when inactive it returns the time of the
 * last tick and never re-renders, so finished rows can share the hook without cost.
 */
export function useClock(intervalMs = 1000, active = true): number {
  const sub = useCallback((l: () => void) => (active ? subscribe(intervalMs, l) : noop()), [intervalMs, active]);
  const snapshot = useCallback(() => clockFor(intervalMs).now, [intervalMs]);
  return useSyncExternalStore(sub, snapshot, snapshot);
}
