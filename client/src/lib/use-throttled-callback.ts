import { useCallback, useEffect, useRef } from "react";

/**
 * A stable function that calls `fn` at most once every `intervalMs`: at once when the last call was long enough ago,
 * otherwise once at the end of the interval however many times it was asked in between (leading and trailing
 * edges). A burst of live events thus refreshes a page right away and then every `intervalMs` while it lasts, and
 * the last event of a burst is never lost. Pending calls are dropped on unmount.
 */
export function useThrottledCallback(fn: () => void, intervalMs: number): () => void {
  const latest = useRef(fn);
  const lastRun = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    latest.current = fn;
  }, [fn]);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    },
    [],
  );

  return useCallback(() => {
    if (timer.current) return;
    const wait = lastRun.current + intervalMs - Date.now();
    const run = () => {
      timer.current = null;
      lastRun.current = Date.now();
      latest.current();
    };
    if (wait <= 0) run();
    else timer.current = setTimeout(run, wait);
  }, [intervalMs]);
}
