import { clsx } from "clsx";
import { Link } from "react-router";
import { formatCost, formatCostExact, formatInteger } from "../lib/run-format.ts";

/** Where a price is added; with a model, the form opens filled in with it. */
export const modelPricesPath = (model?: string | null) =>
  model ? `/settings/models?model=${encodeURIComponent(model)}` : "/settings/models";

const unpricedText = (count: number) => `${formatInteger(count)} unpriced ${count === 1 ? "call" : "calls"}`;

export const UNPRICED_CLASS = "text-amber-700 dark:text-amber-400";

/**
 * A run's (or a range's) cost, honest about what it leaves out: calls whose model has no known price are not $0.
 * Nothing priced and some calls unpriced reads "No price known"; a partial sum is followed by "+ N unpriced".
 */
export function CostValue({
  costUsd,
  unpricedCount,
  stacked = false,
  className,
}: {
  costUsd: number;
  unpricedCount: number;
  /** For a narrow table cell: the unpriced count on a line of its own, under the amount. */
  stacked?: boolean;
  className?: string;
}) {
  const title =
    unpricedCount > 0
      ? `${unpricedText(unpricedCount)}: no price is known for their model, so the cost leaves them out. Add the model in Settings → Models.`
      : formatCostExact(costUsd);
  if (unpricedCount > 0 && costUsd === 0)
    return (
      <span
        className={clsx(UNPRICED_CLASS, stacked && "inline-block text-xs leading-tight", className)}
        title={title}
        data-testid="cost-unknown"
      >
        No price known
      </span>
    );
  return (
    <span className={clsx(stacked && "inline-flex flex-col items-end leading-tight", className)} title={title}>
      {formatCost(costUsd)}
      {unpricedCount > 0 && (
        <span
          className={clsx("text-xs font-normal", stacked ? "whitespace-nowrap" : "ml-1", UNPRICED_CLASS)}
          data-testid="cost-unpriced"
        >
          + {formatInteger(unpricedCount)} unpriced
        </span>
      )}
    </span>
  );
}

/** A one-line hint under a cost that leaves calls out, linking to where their model's price is added. */
export function UnpricedHint({
  count,
  model,
  className,
}: {
  count: number;
  model?: string | null;
  className?: string;
}) {
  if (count <= 0) return null;
  const one = count === 1;
  return (
    <p className={clsx("text-xs text-zinc-500 dark:text-zinc-400", className)} data-testid="unpriced-hint">
      <span className={UNPRICED_CLASS}>
        {formatInteger(count)} model {one ? "call has" : "calls have"} no known price
      </span>{" "}
      and {one ? "is" : "are"} left out of the cost.{" "}
      <Link
        to={modelPricesPath(model)}
        className="font-medium text-indigo-600 hover:text-indigo-500 dark:text-indigo-400"
        data-testid="add-model-price-link"
      >
        {one ? "Add its model’s price" : "Add their models’ prices"}
      </Link>
    </p>
  );
}
