/** "0%", "4.2%", "100%": a percentage with up to `digits` decimals; "—" when there is nothing to divide. */
export function formatPercent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${Number(value.toFixed(digits))}%`;
}

/** Percent of `runs` that failed, or null without runs. */
export function errorRate(errors: number, runs: number): number | null {
  return runs > 0 ? (errors / runs) * 100 : null;
}

/**
 * The Runs page filtered to one bucket of a chart. `from`/`to` carry the bucket; `range=custom` tells the Runs
 * page's range picker that they are a custom range rather than a relative one.
 */
export function runsLinkForBucket(start: number, bucketMs: number, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    range: "custom",
    from: new Date(start).toISOString(),
    to: new Date(start + bucketMs).toISOString(),
    ...extra,
  });
  return `/runs?${params.toString()}`;
}
