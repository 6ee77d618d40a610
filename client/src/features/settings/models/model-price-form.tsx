import { useState } from "react";
import { Alert } from "../../../components/alert.tsx";
import { Button } from "../../../components/button.tsx";
import { Field, TextInput } from "../../../components/form.tsx";
import { Panel } from "../../../components/panel.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { trpc, type RouterOutputs } from "../../../lib/trpc.ts";

type ModelPrice = RouterOutputs["modelPrices"]["list"][number];

/** Adds a price (for `model`, when the page was opened from a call with no known price) or changes `editing`. */
export function ModelPriceForm({
  orgId,
  editing,
  model,
  onDone,
}: {
  orgId: string;
  editing?: ModelPrice;
  model?: string;
  onDone: () => void;
}) {
  const utils = trpc.useUtils();
  const [pattern, setPattern] = useState(editing?.pattern ?? model ?? "");
  const [input, setInput] = useState(editing ? String(editing.inputUsdPerMillion) : "");
  const [output, setOutput] = useState(editing ? String(editing.outputUsdPerMillion) : "");
  const save = trpc.modelPrices.save.useMutation({
    onSuccess: async () => {
      await utils.modelPrices.list.invalidate({ orgId });
      onDone();
    },
  });

  return (
    <Panel
      title={editing ? `Change the price of ${editing.pattern}` : "Add a model price"}
      description="In US dollars per million tokens, as providers list them. It applies to calls ingested from now on; Apply to past calls prices those already stored."
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({
            orgId,
            id: editing?.id,
            pattern,
            inputUsdPerMillion: Number(input),
            outputUsdPerMillion: Number(output),
          });
        }}
        className="space-y-4"
        data-testid="model-price-form"
      >
        <Field
          label="Model"
          hint={
            <>
              The model name as your spans report it, or a pattern where <code className="font-mono">*</code> stands for
              anything (<code className="font-mono">ft:gpt-4o-mini:acme:*</code>). The most specific match wins.
            </>
          }
        >
          {(ids) => (
            <TextInput
              {...ids}
              required
              maxLength={200}
              placeholder="gpt-4o-mini"
              value={pattern}
              onChange={(e) => setPattern(e.target.value)}
              className="max-w-md font-mono"
              data-testid="model-pattern-input"
            />
          )}
        </Field>
        <div className="grid max-w-md gap-4 sm:grid-cols-2">
          <Field label="Input, USD / 1M tokens">
            {(ids) => (
              <TextInput
                {...ids}
                required
                type="number"
                inputMode="decimal"
                min={0}
                step="any"
                placeholder="0.15"
                value={input}
                onChange={(e) => setInput(e.target.value)}
                className="tabular-nums"
                data-testid="model-input-price"
              />
            )}
          </Field>
          <Field label="Output, USD / 1M tokens">
            {(ids) => (
              <TextInput
                {...ids}
                required
                type="number"
                inputMode="decimal"
                min={0}
                step="any"
                placeholder="0.60"
                value={output}
                onChange={(e) => setOutput(e.target.value)}
                className="tabular-nums"
                data-testid="model-output-price"
              />
            )}
          </Field>
        </div>
        <Alert>{errorMessage(save.error)}</Alert>
        <div className="flex gap-2">
          <Button type="submit" variant="primary" pending={save.isPending} data-testid="model-price-submit">
            {editing ? "Save price" : "Add price"}
          </Button>
          <Button variant="ghost" onClick={onDone}>
            Cancel
          </Button>
        </div>
      </form>
    </Panel>
  );
}
