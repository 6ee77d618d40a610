import { hasSideEffects, readsStepOf, type WorkflowStep } from "./define.ts";
import type { StepPolicy } from "./types.ts";

/**
 * What a replay will do with each step, known before it runs:
 * - `recorded`: the original run's result is used as it is (costs nothing);
 * - `live`: the step is executed again (the fork step always is);
 * - `held`: a side effect kept recorded that the original never finished: it is not executed (switch it live to run it);
 *   a step that reads a held step's output is held too (`waitsFor`), as the engine does;
 * - `unrecorded`: kept recorded, but the original never finished it and it acts on nothing: the replay has no
 *   output for it and stops there (switch it live to run it).
 */
export type PlannedAction = "recorded" | "live" | "held" | "unrecorded";

/** How the original run left a step: finished (`success`/`error`), still `running` when it ended, or never reached. */
export type RecordedStatus = "success" | "error" | "running" | null;

export interface PlanInputStep {
  id: string;
  sideEffects: boolean;
  recorded: RecordedStatus;
  /** Ids of the other steps whose output it reads (see `readsStepOf`); none when unknown. */
  reads?: readonly string[];
}

export interface PlannedStep {
  id: string;
  index: number;
  /** Before the fork (locked to the recording), the fork step, or after it (the user picks). */
  place: "before" | "fork" | "after";
  policy: StepPolicy;
  action: PlannedAction;
  /** A recorded step whose original failed: the replay repeats the failure (and stops, unless it continues on error). */
  recordedError: boolean;
  /** For a step held because it reads a held step's output: that step. */
  waitsFor: string | null;
}

/** The replay's plan for `steps` forked at `forkStepId`, with the user's policy choices for steps after the fork. */
export function planReplay(
  steps: readonly PlanInputStep[],
  forkStepId: string,
  choices: Readonly<Record<string, StepPolicy>> = {},
): PlannedStep[] {
  const fork = steps.findIndex((s) => s.id === forkStepId);
  if (fork < 0) throw new Error(`Unknown fork step "${forkStepId}"`);
  const held: string[] = [];
  return steps.map((step, index) => {
    const place = index < fork ? "before" : index === fork ? "fork" : "after";
    // The same rule as the engine's replayPolicy: before the fork recorded, the fork live, then side effects recorded.
    const policy: StepPolicy =
      place === "before"
        ? "recorded"
        : place === "fork"
          ? "live"
          : (choices[step.id] ?? (step.sideEffects ? "recorded" : "live"));
    const finished = step.recorded === "success" || step.recorded === "error";
    const waitsFor = held.find((id) => step.reads?.includes(id)) ?? null;
    const action: PlannedAction = waitsFor
      ? "held"
      : policy === "live"
        ? "live"
        : finished
          ? "recorded"
          : step.sideEffects
            ? "held"
            : "unrecorded";
    if (action === "held") held.push(step.id);
    return {
      id: step.id,
      index,
      place,
      policy,
      action,
      recordedError: action === "recorded" && step.recorded === "error",
      waitsFor,
    };
  });
}

/** The plan's input from a workflow definition and the original run's recorded status per step id. */
export function planInputOf(
  steps: readonly WorkflowStep[],
  recorded: (stepId: string) => RecordedStatus,
): PlanInputStep[] {
  const ids = steps.map((step) => step.id);
  return steps.map((step) => ({
    id: step.id,
    sideEffects: hasSideEffects(step),
    recorded: recorded(step.id),
    reads: stepReads(step, ids),
  }));
}

/** Which of `ids` (other steps) a step reads. */
export function stepReads(step: Pick<WorkflowStep, "id" | "type"> & object, ids: readonly string[]): string[] {
  return ids.filter((id) => id !== step.id && readsStepOf(step, [id]) !== undefined);
}
