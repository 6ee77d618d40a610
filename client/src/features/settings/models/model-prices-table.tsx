import { clsx } from "clsx";
import { Alert } from "../../../components/alert.tsx";
import { Button } from "../../../components/button.tsx";
import { ConfirmButton } from "../../../components/confirm-button.tsx";
import { DataTable, TD } from "../../../components/data-table.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { formatAgo, formatDateTime } from "../../../lib/format.ts";
import { formatInteger } from "../../../lib/run-format.ts";
import { trpc, type RouterOutputs } from "../../../lib/trpc.ts";
import { useNow } from "../../../lib/use-now.ts";

type ModelPrice = RouterOutputs["modelPrices"]["list"][number];

const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 6 })}`;

export function ModelPricesTable({
  prices,
  orgId,
  canEdit,
  onEdit,
}: {
  prices: readonly ModelPrice[];
  orgId: string;
  canEdit: boolean;
  onEdit: (price: ModelPrice) => void;
}) {
  const utils = trpc.useUtils();
  const now = useNow(30_000);
  const remove = trpc.modelPrices.delete.useMutation({ onSuccess: () => utils.modelPrices.list.invalidate({ orgId }) });
  // Past runs change cost: every list that shows one reloads.
  const apply = trpc.modelPrices.applyToPast.useMutation({ onSuccess: () => utils.runs.invalidate() });
  const applied = apply.data && apply.variables && prices.find((p) => p.id === apply.variables.id);

  return (
    <div className="space-y-3">
      <Alert>{errorMessage(remove.error) || errorMessage(apply.error)}</Alert>
      {applied && apply.data && (
        <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="apply-result">
          {apply.data.spans === 0
            ? `No past calls of ${applied.pattern} were waiting for a price.`
            : `Priced ${formatInteger(apply.data.spans)} past ${apply.data.spans === 1 ? "call" : "calls"} of ${applied.pattern} in ${formatInteger(apply.data.runs)} ${apply.data.runs === 1 ? "run" : "runs"}.`}
        </p>
      )}
      <DataTable
        columns={["Model", "Input / 1M tokens", "Output / 1M tokens", "Updated", ""]}
        data-testid="model-prices-table"
      >
        {prices.map((p) => (
          <tr key={p.id} data-testid="model-price-row" data-pattern={p.pattern}>
            <td
              className={clsx(
                TD,
                "max-w-80 truncate font-mono text-[13px] font-medium text-zinc-900 dark:text-zinc-100",
              )}
            >
              <span title={p.pattern}>{p.pattern}</span>
            </td>
            <td className={clsx(TD, "tabular-nums")}>{usd(p.inputUsdPerMillion)}</td>
            <td className={clsx(TD, "tabular-nums")}>{usd(p.outputUsdPerMillion)}</td>
            <td className={TD} title={formatDateTime(p.updatedAt)}>
              {formatAgo(Date.parse(p.updatedAt), now)}
            </td>
            <td className={clsx(TD, "text-right whitespace-nowrap")}>
              {canEdit && (
                <span className="inline-flex items-center gap-1">
                  <Button
                    size="sm"
                    variant="ghost"
                    title="Price the calls of this model that were ingested before, with no known price"
                    pending={apply.isPending && apply.variables?.id === p.id}
                    onClick={() => apply.mutate({ orgId, id: p.id })}
                    data-testid="apply-price-button"
                  >
                    Apply to past calls
                  </Button>
                  <Button size="sm" variant="ghost" onClick={() => onEdit(p)} data-testid="edit-price-button">
                    Edit
                  </Button>
                  <ConfirmButton
                    label="Delete"
                    question={`Delete the price of ${p.pattern}?`}
                    pending={remove.isPending && remove.variables?.id === p.id}
                    onConfirm={() => remove.mutate({ orgId, id: p.id })}
                    testId="delete-price-button"
                    confirmTestId="confirm-delete-price"
                  />
                </span>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}
