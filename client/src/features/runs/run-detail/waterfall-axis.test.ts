import { describe, expect, it } from "vitest";
import { niceStep, timeTicks } from "./waterfall-axis.ts";

const labels = (totalMs: number, widthPx: number) => timeTicks(totalMs, widthPx).map((t) => t.label);

describe("niceStep", () => {
  it("rounds up to 1, 2 or 5 times a power of ten", () => {
    expect([0.0003, 0.7, 1, 1.1, 3, 7, 40, 180, 1300].map(niceStep)).toEqual([0.0005, 1, 1, 2, 5, 10, 50, 200, 2000]);
  });
});

describe("timeTicks", () => {
  it("gives a 1.4 ms run distinct sub-millisecond ticks rather than 0ms 0ms 1ms 1ms", () => {
    const ticks = labels(1.4, 600);
    expect(ticks).toEqual(["0", "200µs", "400µs", "600µs", "800µs", "1000µs", "1200µs"]);
    expect(new Set(ticks).size).toBe(ticks.length);
  });

  it("labels a short run in ms and a longer one in seconds, with only the decimals the step needs", () => {
    expect(labels(38, 600)).toEqual(["0", "5ms", "10ms", "15ms", "20ms", "25ms", "30ms", "35ms"]);
    expect(labels(3400, 600)).toEqual(["0", "0.5s", "1.0s", "1.5s", "2.0s", "2.5s", "3.0s"]);
    expect(labels(125_000, 600)).toEqual(["0", "20s", "40s", "1m00s", "1m20s", "1m40s"]);
  });

  it("keeps ticks at least the label gap apart on a phone-width axis, and drops one too near the end", () => {
    for (const total of [0.9, 1.4, 7, 38, 950, 3400, 61_000]) {
      for (const width of [150, 220, 600, 900]) {
        const ticks = timeTicks(total, width);
        const gaps = ticks.slice(1).map((t, i) => (t.at - ticks[i]!.at) * width);
        expect(Math.min(...gaps, Infinity)).toBeGreaterThanOrEqual(64);
        expect(ticks.every((t) => (1 - t.at) * width >= 32 || t.ms === 0)).toBe(true);
        expect(new Set(ticks.map((t) => t.label)).size).toBe(ticks.length);
      }
    }
  });
});
