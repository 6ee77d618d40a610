import { clsx } from "clsx";
import { CircleSlash, History, Pause, Play, PencilLine } from "lucide-react";
import type { PlannedAction, PlannedStep } from "@shared/workflow/plan.ts";
import { KIND_STYLES } from "../../components/span-kind.ts";
import type { PlanStep } from "./replay-api.ts";

const ACTIONS: Record<PlannedAction, { label: string; icon: typeof Play; badge: string }> = {
  recorded: {
    label: "Recorded",
    icon: History,
    badge: "bg-zinc-100 text-zinc-700 ring-zinc-500/20 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-600/40",
  },
  live: {
    label: "Live",
    icon: Play,
    badge:
      "bg-emerald-50 text-emerald-800 ring-emerald-600/25 dark:bg-emerald-500/10 dark:text-emerald-300 dark:ring-emerald-400/25",
  },
  held: {
    label: "Held",
    icon: Pause,
    badge:
      "bg-amber-50 text-amber-800 ring-amber-600/25 dark:bg-amber-400/10 dark:text-amber-300 dark:ring-amber-400/25",
  },
  unrecorded: {
    label: "No recording",
    icon: CircleSlash,
    badge: "bg-rose-50 text-rose-700 ring-rose-600/20 dark:bg-rose-500/10 dark:text-rose-300 dark:ring-rose-400/25",
  },
};

/** What a held step would have done, from its definition (templates as written). */
export function wouldDo(step: PlanStep): string {
  const d = step.definition;
  if (step.type === "http")
    return `would call ${typeof d.method === "string" ? d.method : "GET"} ${typeof d.url === "string" ? d.url : ""}`;
  if (step.type === "tool") return `would call the tool ${typeof d.tool === "string" ? d.tool : step.id}`;
  return "would run";
}

/** One line of a recorded output, for the plan (the comparison after Run shows it whole). */
function preview(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text === undefined) return "no output";
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function explain(step: PlanStep, planned: PlannedStep): string {
  switch (planned.action) {
    case "recorded":
      if (planned.recordedError)
        return `Failed in the original (${step.recorded?.error ?? "no message"}); the replay repeats that failure.`;
      return `Output from the recording: ${preview(step.recorded?.output)}`;
    case "live":
      if (planned.place === "fork") return "Runs with your changes.";
      return step.sideEffects ? "Runs for real: it acts on the world again." : "Runs again on the new results.";
    case "held":
      if (planned.waitsFor)
        return `Not executed: it needs the output of ${planned.waitsFor}, which is held. Switch ${planned.waitsFor} live to run both.`;
      return `Not executed: the original never finished it, and it acts on the world. It ${wouldDo(step)}; switch it live to run it.`;
    case "unrecorded":
      return "The original never finished it, so there is no output to reuse: the replay stops here. Switch it live to run it.";
  }
}

interface ReplayPlanProps {
  steps: readonly PlanStep[];
  plan: readonly PlannedStep[];
  onSwitchLive: (stepId: string) => void;
  /** A viewer may read the plan but not change it. */
  readOnly: boolean;
}

/** Before Run: every step in order with what the replay will do with it, following the policies as they change. */
export function ReplayPlan({ steps, plan, onSwitchLive, readOnly }: ReplayPlanProps) {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const counts = plan.reduce<Partial<Record<PlannedAction, number>>>(
    (acc, p) => ({ ...acc, [p.action]: (acc[p.action] ?? 0) + 1 }),
    {},
  );
  const summary = (Object.keys(ACTIONS) as PlannedAction[])
    .filter((a) => counts[a])
    .map((a) => `${counts[a]} ${ACTIONS[a].label.toLowerCase()}`)
    .join(" · ");
  return (
    <section
      data-testid="replay-plan"
      aria-labelledby="replay-plan-title"
      className="rounded-lg border border-zinc-200 bg-white shadow-xs dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1 border-b border-zinc-200 px-4 py-3 dark:border-zinc-800">
        <h2 id="replay-plan-title" className="text-sm font-semibold text-zinc-900 dark:text-zinc-50">
          What Run will do
        </h2>
        <span className="text-xs text-zinc-500 dark:text-zinc-400" data-testid="plan-summary">
          {summary}
        </span>
      </div>
      <ol className="divide-y divide-zinc-100 dark:divide-zinc-800">
        {plan.map((planned) => {
          const step = byId.get(planned.id);
          if (!step) return null;
          const action = ACTIONS[planned.action];
          const ActionIcon = action.icon;
          const kind = KIND_STYLES[step.type];
          const KindIcon = kind.icon;
          const canSwitch = !readOnly && planned.place === "after" && planned.policy === "recorded";
          return (
            <li
              key={planned.id}
              data-testid="plan-step"
              data-step-id={planned.id}
              data-action={planned.action}
              className="flex items-start gap-3 px-4 py-2.5"
            >
              <span className="mt-0.5 w-5 shrink-0 text-right font-mono text-[11px] text-zinc-500 tabular-nums dark:text-zinc-400">
                {planned.index + 1}
              </span>
              <KindIcon aria-hidden="true" className={clsx("mt-0.5 size-4 shrink-0", kind.text)} />
              <div className="min-w-0 flex-1">
                <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                  <span className="font-mono text-[13px] break-all text-zinc-900 dark:text-zinc-100">{planned.id}</span>
                  {planned.place === "fork" && (
                    <span className="inline-flex items-center gap-1 text-xs font-medium text-indigo-700 dark:text-indigo-300">
                      <PencilLine aria-hidden="true" className="size-3" />
                      fork
                    </span>
                  )}
                </div>
                <p
                  className={clsx(
                    "mt-0.5 text-xs break-words",
                    planned.action === "unrecorded" || planned.recordedError
                      ? "text-rose-700 dark:text-rose-300"
                      : "text-zinc-600 dark:text-zinc-400",
                  )}
                  data-testid="plan-note"
                >
                  {explain(step, planned)}
                </p>
                {canSwitch && (planned.action === "held" || planned.action === "unrecorded") && (
                  <button
                    type="button"
                    onClick={() => onSwitchLive(planned.id)}
                    className="mt-1 text-xs font-medium text-indigo-700 hover:text-indigo-500 dark:text-indigo-300 dark:hover:text-indigo-200"
                    data-testid="plan-switch-live"
                  >
                    Switch {planned.id} live
                  </button>
                )}
              </div>
              <span
                className={clsx(
                  "inline-flex shrink-0 items-center gap-1 rounded-md px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset",
                  action.badge,
                )}
                data-testid="plan-action"
              >
                <ActionIcon aria-hidden="true" className="size-3" />
                {action.label}
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
