import { clsx } from "clsx";
import { formatCost, formatMs, formatTokens } from "../../lib/run-format.ts";

export type Metric = "tokens" | "cost" | "ms";

const FORMAT: Record<Metric, (n: number) => string> = {
  tokens: (n) => formatTokens(n),
  cost: (n) => formatCost(n),
  ms: (n) => formatMs(n),
};

/** replay − original: fewer tokens, less cost, less time read green; more read red. */
export function Delta({
  value,
  metric,
  testId,
}: {
  value: number | null | undefined;
  metric: Metric;
  testId?: string;
}) {
  if (value === null || value === undefined) return null;
  const zero = metric === "cost" ? Math.abs(value) < 1e-9 : value === 0;
  const text = zero ? "±0" : `${value > 0 ? "+" : "−"}${FORMAT[metric](Math.abs(value))}`;
  return (
    <span
      data-testid={testId}
      data-sign={zero ? "0" : value > 0 ? "+" : "-"}
      className={clsx(
        "text-[11px] font-medium tabular-nums",
        zero
          ? "text-zinc-500 dark:text-zinc-400"
          : value > 0
            ? "text-rose-600 dark:text-rose-400"
            : "text-emerald-600 dark:text-emerald-400",
      )}
    >
      {text}
    </span>
  );
}

export const sumTokens = (a: number | null | undefined, b: number | null | undefined) =>
  a === null && b === null ? null : (a ?? 0) + (b ?? 0);

export const formatValue = (metric: Metric, n: number | null | undefined) =>
  n === null || n === undefined ? "—" : FORMAT[metric](n);
