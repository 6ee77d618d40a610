// Type-only: the schemas module carries zod, which has no place in the page's chunk.
import type { OverviewRange } from "@shared/schemas/runs.ts";

/** The Overview's time range, as it lives in the URL (`?range=7d`); 24 hours when absent or unknown. */
export const DEFAULT_RANGE: OverviewRange = "24h";

export const RANGE_LABELS: Record<OverviewRange, { short: string; long: string }> = {
  "24h": { short: "24 h", long: "the last 24 hours" },
  "7d": { short: "7 d", long: "the last 7 days" },
  "30d": { short: "30 d", long: "the last 30 days" },
};

/** The ranges `runs.overview` takes (its `OVERVIEW_RANGES`), in the switcher's order. */
export const OVERVIEW_RANGES = ["24h", "7d", "30d"] as const satisfies readonly OverviewRange[];

export function parseRange(value: string | null): OverviewRange {
  return OVERVIEW_RANGES.includes(value as OverviewRange) ? (value as OverviewRange) : DEFAULT_RANGE;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

const time = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
// Axis labels on the hour stay short: "3 PM" where clocks have 12 hours, "15:00" where they have 24.
const twelveHour = /h1[12]/.test(
  new Intl.DateTimeFormat(undefined, { hour: "numeric" }).resolvedOptions().hourCycle ?? "",
);
const hourTick = twelveHour ? new Intl.DateTimeFormat(undefined, { hour: "numeric" }) : time;
const dayMonth = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const weekdayDay = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric" });
const fullDay = new Intl.DateTimeFormat(undefined, { weekday: "short", month: "short", day: "numeric" });

const localDay = (t: number) => new Date(t).toDateString();
const isLocalMidnight = (t: number) => {
  const d = new Date(t);
  return d.getHours() === 0 && d.getMinutes() === 0;
};

/**
 * The buckets (epoch ms) that get an axis label, so labels stay readable whatever the bucket size: every third
 * hour over a day, the first bucket of each local day over a week, every fifth day over a month (ending on today).
 */
export function axisTicks(times: readonly number[], bucketMs: number): number[] {
  if (times.length === 0) return [];
  if (bucketMs < 6 * HOUR) {
    const step = Math.max(1, Math.round((3 * HOUR) / bucketMs));
    const last = times.length - 1;
    return times.filter((_, i) => (last - i) % step === 0);
  }
  if (bucketMs < DAY) return times.filter((t, i) => i > 0 && localDay(t) !== localDay(times[i - 1]!));
  const last = times.length - 1;
  return times.filter((_, i) => (last - i) % 5 === 0);
}

/** An axis label sized to the bucket: "3 PM" or "15:00" (the date where a day starts), "Mon 14", "Jun 3". */
export function tickLabel(t: number, bucketMs: number): string {
  if (bucketMs < 6 * HOUR) {
    if (isLocalMidnight(t)) return dayMonth.format(t);
    return new Date(t).getMinutes() === 0 ? hourTick.format(t) : time.format(t);
  }
  if (bucketMs < DAY) return weekdayDay.format(t);
  return dayMonth.format(t);
}

/** A bucket's span for a tooltip: "Tue, Jun 3, 14:00 – 15:00", or "Tue, Jun 3" for a whole local day. */
export function bucketLabel(start: number, bucketMs: number): string {
  const end = start + bucketMs;
  if (bucketMs === DAY && isLocalMidnight(start)) return fullDay.format(start);
  const from = `${fullDay.format(start)}, ${time.format(start)}`;
  const to = localDay(start) === localDay(end - 1) ? time.format(end) : `${fullDay.format(end)}, ${time.format(end)}`;
  return `${from} – ${to}`;
}
