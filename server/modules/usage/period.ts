/** Usage is counted per calendar month in UTC: the period `YYYY-MM` and its days `YYYY-MM-DD`. */
export const periodOf = (now = new Date()) => now.toISOString().slice(0, 7);
export const dayOf = (now = new Date()) => now.toISOString().slice(0, 10);

/** When the counts of `period` start again from zero: the first instant of the next month, UTC. */
export function resetsAt(period: string): Date {
  const [year, month] = period.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(year, month, 1));
}

/** Whole seconds until the reset, at least 1: what `Retry-After` says. */
export const secondsUntil = (when: Date, now = Date.now()) => Math.max(1, Math.ceil((when.getTime() - now) / 1000));
