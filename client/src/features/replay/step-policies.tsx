import { clsx } from "clsx";
import { Lock, PencilLine } from "lucide-react";
import type { StepPolicy } from "@shared/schemas/replay.ts";
import { KIND_STYLES } from "../../components/span-kind.ts";
import { Segmented } from "./fields.tsx";
import type { PlanStep } from "./replay-api.ts";

/** How a replay treats a later step unless the user says otherwise (DESIGN.md: side effects stay recorded). */
export function defaultPolicy(step: PlanStep): StepPolicy {
  return step.sideEffects || step.needsRuntime ? "recorded" : "live";
}

/** Why a step starts recorded, or what running it live implies; null when nothing needs saying. */
export function policyNote(step: PlanStep): string | null {
  if (step.sideEffects)
    return "Acts on the world (e-mail, payment, write): kept recorded so the replay does not do it twice.";
  if (step.needsRuntime)
    return step.runtimeConnected
      ? "Runs in your connected runtime; kept recorded unless you switch it live."
      : "Needs your runtime to run live, and none is connected: kept recorded.";
  return null;
}

const OPTIONS = [
  { value: "live", label: "Live" },
  { value: "recorded", label: "Recorded" },
] as const;

interface StepPoliciesProps {
  steps: PlanStep[];
  forkIndex: number;
  policies: Record<string, StepPolicy>;
  onChange: (stepId: string, policy: StepPolicy) => void;
  onPickFork: (stepId: string) => void;
}

/** Every step of the run: before the fork locked to the recording, the fork step edited, later ones live or recorded. */
export function StepPolicies({ steps, forkIndex, policies, onChange, onPickFork }: StepPoliciesProps) {
  return (
    <ol className="divide-y divide-zinc-100 dark:divide-zinc-800" data-testid="step-policies">
      {steps.map((step, index) => {
        const kind = KIND_STYLES[step.type];
        const Icon = kind.icon;
        const before = index < forkIndex;
        const fork = index === forkIndex;
        const policy = before ? "recorded" : fork ? "live" : (policies[step.id] ?? defaultPolicy(step));
        const note = !before && !fork ? policyNote(step) : null;
        return (
          <li
            key={step.id}
            data-testid="policy-step"
            data-step-id={step.id}
            data-policy={policy}
            className="flex items-start gap-3 py-2.5"
          >
            <span className="mt-0.5 w-5 shrink-0 text-right font-mono text-[11px] text-zinc-500 tabular-nums dark:text-zinc-400">
              {index + 1}
            </span>
            <Icon aria-hidden="true" className={clsx("mt-0.5 size-4 shrink-0", kind.text)} />
            <div className="min-w-0 flex-1">
              <button
                type="button"
                onClick={() => onPickFork(step.id)}
                disabled={fork}
                title={fork ? undefined : "Fork from this step instead"}
                className="max-w-full truncate text-left font-mono text-[13px] text-zinc-800 enabled:hover:text-indigo-600 dark:text-zinc-200 dark:enabled:hover:text-indigo-400"
              >
                {step.id}
              </button>
              {note && <p className="mt-0.5 text-xs text-zinc-500 dark:text-zinc-400">{note}</p>}
            </div>
            {before ? (
              <span className="inline-flex shrink-0 items-center gap-1 text-xs text-zinc-500 dark:text-zinc-400">
                <Lock aria-hidden="true" className="size-3" />
                Recorded
              </span>
            ) : fork ? (
              <span className="inline-flex shrink-0 items-center gap-1 rounded-md bg-indigo-50 px-1.5 py-0.5 text-xs font-medium text-indigo-700 ring-1 ring-indigo-600/20 ring-inset dark:bg-indigo-500/10 dark:text-indigo-300 dark:ring-indigo-400/30">
                <PencilLine aria-hidden="true" className="size-3" />
                Fork · live
              </span>
            ) : (
              <Segmented
                label={`Policy of ${step.id}`}
                value={policy}
                options={OPTIONS}
                onChange={(p) => onChange(step.id, p)}
                testId={`policy-${step.id}`}
              />
            )}
          </li>
        );
      })}
    </ol>
  );
}
