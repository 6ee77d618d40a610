import { Play } from "lucide-react";
import { useState } from "react";
import type { ReplayRequestInput, StepPolicy } from "@shared/schemas/replay.ts";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Field, Select, TextInput } from "../../components/form.tsx";
import { ForkStepForm, type Override } from "./fork-step-form.tsx";
import { defaultPolicy, StepPolicies } from "./step-policies.tsx";
import type { PlanStep } from "./replay-api.ts";

interface FixFormProps {
  runId: string;
  steps: PlanStep[];
  forkStep: PlanStep;
  onPickFork: (stepId: string) => void;
  onRun: (request: ReplayRequestInput) => void;
  pending: boolean;
  error: string | null;
  /** Why the user may not run a replay (a viewer), or null. */
  refusal: string | null;
  variantCount: number;
  /** The policy of every step after the fork, as the plan shows it. */
  policies: Record<string, StepPolicy>;
  onPolicyChange: (stepId: string, policy: StepPolicy) => void;
}

function Heading({ children }: { children: React.ReactNode }) {
  return (
    <h3 className="mb-3 text-xs font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">{children}</h3>
  );
}

/** The fork step's edited config, the policy of every later step, a label: everything a replay request holds. */
export function FixForm({
  runId,
  steps,
  forkStep,
  onPickFork,
  onRun,
  pending,
  error,
  refusal,
  variantCount,
  policies,
  onPolicyChange,
}: FixFormProps) {
  const [override, setOverride] = useState<Override>({});
  const [invalid, setInvalid] = useState<ReadonlySet<string>>(() => new Set());
  const [label, setLabel] = useState("");
  const forkIndex = steps.findIndex((s) => s.id === forkStep.id);
  const later = steps.slice(forkIndex + 1);

  const onValidity = (field: string, ok: boolean) =>
    setInvalid((prev) => {
      if (ok === !prev.has(field)) return prev;
      const next = new Set(prev);
      if (ok) next.delete(field);
      else next.add(field);
      return next;
    });

  const submit = () => {
    onRun({
      mode: "workflow",
      runId,
      forkStep: forkStep.id,
      overrides: Object.keys(override).length > 0 ? { [forkStep.id]: override } : {},
      policies: Object.fromEntries(later.map((s) => [s.id, policies[s.id] ?? defaultPolicy(s)])),
      label: label.trim() || undefined,
    });
  };

  return (
    <form
      data-testid="fix-form"
      className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white shadow-xs dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="p-4">
        <Field
          label="Fork at step"
          hint="Earlier steps keep their recorded outputs; this step and later ones run again."
        >
          {(ids) => (
            <Select
              {...ids}
              value={forkStep.id}
              onChange={(e) => onPickFork(e.target.value)}
              data-testid="fork-step-select"
            >
              {steps.map((s, i) => (
                <option key={s.id} value={s.id}>
                  {i + 1}. {s.id} ({s.type})
                </option>
              ))}
            </Select>
          )}
        </Field>
      </div>
      <div className="p-4">
        <Heading>Config of {forkStep.id}</Heading>
        <ForkStepForm step={forkStep} override={override} onChange={setOverride} onValidity={onValidity} />
      </div>
      <div className="p-4">
        <Heading>Steps</Heading>
        <StepPolicies
          steps={steps}
          forkIndex={forkIndex}
          policies={policies}
          onChange={onPolicyChange}
          onPickFork={onPickFork}
        />
      </div>
      <div className="space-y-3 p-4">
        <Field label="Label" hint="Names this variant in the fork tree.">
          {(ids) => (
            <TextInput
              {...ids}
              value={label}
              maxLength={120}
              placeholder="Named after what you change"
              onChange={(e) => setLabel(e.target.value)}
              data-testid="variant-label"
            />
          )}
        </Field>
        {error && <Alert>{error}</Alert>}
        <div className="flex items-center gap-3">
          <Button
            type="submit"
            variant="primary"
            pending={pending}
            disabled={refusal !== null || invalid.size > 0}
            data-testid="run-replay"
            title={refusal ?? undefined}
          >
            <Play aria-hidden="true" className="size-4" />
            {variantCount > 0 ? "Run another variant" : "Run"}
          </Button>
          <span className="text-xs text-zinc-500 dark:text-zinc-400">
            {refusal ?? (invalid.size > 0 ? "Fix the JSON above first." : "The replay streams in as it runs.")}
          </span>
        </div>
      </div>
    </form>
  );
}
