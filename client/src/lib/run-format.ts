/**
 * Formatters for run and span numbers: durations in milliseconds, token counts and USD costs. Shared by the Runs,
 * Run detail, Overview and Conversations pages so the same number reads the same everywhere.
 */

/** "0 ms", "850 ms", "1.24 s", "12.5 s", "3 min 5 s", "2 h 4 min", "1 d 3 h". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 10_000) return `${(v / 1000).toFixed(2)} s`;
  if (v < 60_000) return `${(v / 1000).toFixed(1)} s`;
  const s = Math.floor(v / 1000);
  if (s < 3600) return pair(Math.floor(s / 60), "min", s % 60, "s");
  if (s < 86_400) return pair(Math.floor(s / 3600), "h", Math.floor((s % 3600) / 60), "min");
  return pair(Math.floor(s / 86_400), "d", Math.floor((s % 86_400) / 3600), "h");
}

function pair(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major} ${majorUnit}` : `${major} ${majorUnit} ${minor} ${minorUnit}`;
}

/** A compact duration for tight spaces (timeline ticks): "850ms", "1.2s", "3m05s", "2h04m". */
export function formatMsShort(ms: number): string {
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)}ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(v < 10_000 ? 1 : 0)}s`;
  const s = Math.floor(v / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

const integer = new Intl.NumberFormat("en-US");

/** "0", "950", "1.2k", "12k", "3.4M": token counts at a glance (the exact number goes in a title). */
export function formatTokens(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  if (n < 1000) return String(n);
  if (n < 10_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, "")}k`;
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, "")}M`;
}

/** "12,345": the exact count. */
export function formatInteger(n: number): string {
  return integer.format(n);
}

/**
 * USD with the precision the amount needs: "$0", "<$0.0001", "$0.0042", "$0.042", "$0.20", "$1.24", "$1,204". Agent runs
 * often cost fractions of a cent, so small amounts keep two significant digits.
 */
export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return "—";
  if (usd === 0) return "$0";
  if (usd < 0.0001) return "<$0.0001";
  if (usd < 0.01) return `$${Number(usd.toPrecision(2))}`;
  if (usd < 1) return `$${usd.toFixed(3).replace(/0$/, "")}`;
  if (usd < 1000) return `$${usd.toFixed(2)}`;
  return `$${integer.format(Math.round(usd))}`;
}

/** The exact cost for a tooltip: "$0.00048870". */
export function formatCostExact(usd: number): string {
  return `$${usd.toFixed(usd < 1 ? 8 : 4)}`;
}

/** The first non-empty line of a message (errors carry stack traces after it). */
export function firstLine(text: string | null | undefined): string {
  if (!text) return "";
  return (
    text
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.trim() ?? ""
  );
}

/** Milliseconds between two ISO times, or until `now` when the end is not known yet. */
export function elapsedMs(startedAt: string, endedAt: string | null, now: number): number {
  return Math.max(0, (endedAt ? Date.parse(endedAt) : now) - Date.parse(startedAt));
}
