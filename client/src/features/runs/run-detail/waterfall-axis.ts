import { formatMsShort } from "../../../lib/run-format.ts";

export interface AxisTick {
  /** Milliseconds from the run's start. */
  ms: number;
  /** Where it sits on the axis, 0 to 1. */
  at: number;
  label: string;
}

/** The smallest 1, 2 or 5 × 10^n (ms) that is at least `min`. */
export function niceStep(min: number): number {
  const power = 10 ** Math.floor(Math.log10(min));
  for (const m of [1, 2, 5, 10]) if (m * power >= min * (1 - 1e-9)) return m * power;
  return 10 * power;
}

const decimals = (step: number) => Math.max(0, -Math.floor(Math.log10(step) + 1e-9));

/** One tick's label in the unit the step calls for, so no two ticks read alike: "200µs", "15ms", "1.5s", "2m30s". */
function tickLabel(ms: number, step: number, last: number): string {
  if (ms === 0) return "0";
  if (step < 1) return `${Math.round(ms * 1000)}µs`;
  if (last < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(decimals(step / 1000))}s`;
  return formatMsShort(ms);
}

/**
 * Ticks for a waterfall `totalMs` long drawn `widthPx` wide: steps of 1, 2 or 5 × 10^n, at least `minGapPx` apart
 * so labels never overlap, each with a distinct label (µs on sub-millisecond runs, ms, then s). A tick too close to
 * the right edge for its label is left out.
 */
export function timeTicks(totalMs: number, widthPx: number, minGapPx = 64): AxisTick[] {
  const total = Math.max(totalMs, 0.001);
  const fit = Math.max(1, Math.floor(widthPx / minGapPx));
  const step = niceStep(total / fit);
  const count = Math.floor(total / step + 1e-9);
  const last = count * step;
  const ticks: AxisTick[] = [];
  for (let i = 0; i <= count; i++) {
    const ms = i * step;
    const at = ms / total;
    // A centred label needs half its width before the edge.
    if (i > 0 && (1 - at) * widthPx < minGapPx / 2) break;
    ticks.push({ ms, at, label: tickLabel(ms, step, last) });
  }
  return ticks;
}
