const integer = new Intl.NumberFormat("en-US");
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

export const formatCount = (n: number) => integer.format(n);
export const formatCompactCount = (n: number) => compact.format(n).replace("K", "k");

/** 0 means unlimited everywhere in usage. */
export const formatLimit = (n: number) => (n === 0 ? "Unlimited" : integer.format(n));

/** Share of the limit used, 0–100 (null when unlimited). */
export function percentUsed(used: number, limit: number): number | null {
  if (limit === 0) return null;
  return Math.min(100, (used / limit) * 100);
}

/** "1 Jan 2027", in UTC like the period itself. */
export function formatResetDate(iso: string): string {
  return new Date(iso).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
}

/** "3 Dec" for a `YYYY-MM-DD` day. */
export function formatDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}

export function daysUntil(iso: string, now = Date.now()): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - now) / 86_400_000));
}

/** "0.02 %", "< 0.01 %", "45 %": small shares keep a significant digit. */
export function formatPercentOfLimit(used: number, limit: number): string {
  const percent = percentUsed(used, limit);
  if (percent === null) return "";
  if (percent === 0) return "0 %";
  if (percent < 0.01) return "< 0.01 %";
  if (percent < 1) return `${percent.toFixed(2)} %`;
  if (percent < 10) return `${percent.toFixed(1)} %`;
  return `${Math.floor(percent)} %`;
}
