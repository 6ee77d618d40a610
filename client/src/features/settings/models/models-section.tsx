import { CircleDollarSign, Plus } from "lucide-react";
import { useState } from "react";
import { useSearchParams } from "react-router";
import { hasRole } from "@shared/roles.ts";
import { Button } from "../../../components/button.tsx";
import { EmptyState } from "../../../components/empty-state.tsx";
import { SectionHeading } from "../../../components/panel.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { trpc, type RouterOutputs } from "../../../lib/trpc.ts";
import { useCurrentOrg } from "../../session/use-current-org.ts";
import { LoadError } from "../admin-only.tsx";
import { ModelPriceForm } from "./model-price-form.tsx";
import { ModelPricesTable } from "./model-prices-table.tsx";

type ModelPrice = RouterOutputs["modelPrices"]["list"][number];

export default function ModelsSection() {
  const { org } = useCurrentOrg();
  const canEdit = hasRole(org.role, "admin");
  const prices = trpc.modelPrices.list.useQuery({ orgId: org.id });
  // Opened from a call with no known price (`?model=…`): the form starts filled in with its model.
  const [params, setParams] = useSearchParams();
  const model = params.get("model") ?? undefined;
  const [form, setForm] = useState<{ editing?: ModelPrice } | null>(canEdit && model ? {} : null);
  const close = () => {
    setForm(null);
    if (model) setParams({}, { replace: true });
  };

  return (
    <div className="space-y-6">
      <SectionHeading
        title="Model prices"
        description={
          <>
            Echos estimates the cost of a model call from its tokens, with built-in list prices of the common OpenAI,
            Anthropic, Google, Mistral and hosted Llama models. Add the models it does not know, or your negotiated
            prices: yours win over the built-in ones. A call whose model has no price shows{" "}
            <em className="not-italic font-medium text-amber-700 dark:text-amber-400">no price known</em>, never $0.
            {!canEdit && " Admins add and change prices."}
          </>
        }
        actions={
          canEdit &&
          !form && (
            <Button variant="primary" onClick={() => setForm({})} data-testid="add-model-price-button">
              <Plus aria-hidden="true" className="size-4" />
              Add model price
            </Button>
          )
        }
      />
      {form && (
        <ModelPriceForm
          key={form.editing?.id ?? "new"}
          orgId={org.id}
          editing={form.editing}
          model={form.editing ? undefined : model}
          onDone={close}
        />
      )}
      {prices.isError ? (
        <LoadError what="model prices" message={errorMessage(prices.error)} />
      ) : !prices.data ? (
        <div className="h-32 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
      ) : prices.data.length === 0 ? (
        !form && (
          <EmptyState
            icon={CircleDollarSign}
            title="No prices of your own"
            description="Calls are priced at the built-in list prices. Add a model Echos does not know, such as a fine-tune or a self-hosted model, to see what it costs."
          />
        )
      ) : (
        <ModelPricesTable
          prices={prices.data}
          orgId={org.id}
          canEdit={canEdit}
          onEdit={(price) => setForm({ editing: price })}
        />
      )}
    </div>
  );
}
