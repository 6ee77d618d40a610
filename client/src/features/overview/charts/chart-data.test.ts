import { describe, expect, it } from "vitest";
import type { OverviewBucket } from "@shared/schemas/runs.ts";
import { formatCompact, toData } from "./chart-data.ts";

const bucket = (patch: Partial<OverviewBucket>): OverviewBucket => ({
  t: "2026-06-03T10:00:00.000Z",
  runs: 0,
  errors: 0,
  p50Ms: null,
  p95Ms: null,
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  unpricedCount: 0,
  ...patch,
});

describe("toData", () => {
  it("splits runs into successes and errors and gives the error rate in percent", () => {
    const [d] = toData([
      bucket({ runs: 8, errors: 2, p50Ms: 900, p95Ms: 1400, inputTokens: 30, outputTokens: 12, costUsd: 0.5 }),
    ]);
    expect(d).toEqual({
      t: Date.parse("2026-06-03T10:00:00.000Z"),
      runs: 8,
      errors: 2,
      ok: 6,
      errorRate: 25,
      p50: 900,
      p95: 1400,
      tokensIn: 30,
      tokensOut: 12,
      cost: 0.5,
    });
  });

  it("leaves the error rate of an empty bucket unknown (a gap in the line), not zero", () => {
    const data = toData([bucket({ runs: 0 }), bucket({ runs: 3, errors: 0 })]);
    expect(data.map((d) => d.errorRate)).toEqual([null, 0]);
  });
});

describe("formatCompact", () => {
  it("writes axis numbers short, with a lower-case k", () => {
    expect([0, 650, 7_500, 22_500, 1_234_567].map(formatCompact)).toEqual(["0", "650", "7.5k", "22.5k", "1.2M"]);
  });
});
