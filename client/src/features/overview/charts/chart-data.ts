import type { OverviewBucket } from "@shared/schemas/runs.ts";

/** One bucket as the charts draw it: times as epoch ms, the error rate in percent, and what the tooltips show. */
export interface Datum {
  t: number;
  runs: number;
  errors: number;
  ok: number;
  /** Percent of the bucket's runs that failed; null for an empty bucket (a gap, not a zero). */
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  tokensIn: number;
  tokensOut: number;
  cost: number;
}

export function toData(buckets: readonly OverviewBucket[]): Datum[] {
  return buckets.map((b) => ({
    t: Date.parse(b.t),
    runs: b.runs,
    errors: b.errors,
    ok: b.runs - b.errors,
    errorRate: b.runs > 0 ? (b.errors / b.runs) * 100 : null,
    p50: b.p50Ms,
    p95: b.p95Ms,
    tokensIn: b.inputTokens,
    tokensOut: b.outputTokens,
    cost: b.costUsd,
  }));
}

/** One line, area or bar stack of a chart, with its legend entry. */
export interface Series {
  key: keyof Datum;
  label: string;
  color: string;
  /** The exact value for the tooltip. */
  format: (value: number) => string;
}

/** What every chart of the Overview draws from. */
export interface ChartProps {
  data: Datum[];
  bucketMs: number;
}

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
/** Axis numbers: "0", "7.5k", "22.5k", "1.2M". */
export const formatCompact = (n: number) => compact.format(n).replace("K", "k");
