import { useEffect, useState } from "react";

/** Becomes true once the browser is idle after the first render: the moment to load non-essential code. */
export function useIdle(timeoutMs = 2000): boolean {
  const [idle, setIdle] = useState(false);
  useEffect(() => {
    if ("requestIdleCallback" in window) {
      const handle = window.requestIdleCallback(() => setIdle(true), { timeout: timeoutMs });
      return () => window.cancelIdleCallback(handle);
    }
    const timer = setTimeout(() => setIdle(true), timeoutMs);
    return () => clearTimeout(timer);
  }, [timeoutMs]);
  return idle;
}
