import type { ReplayedPolicy, StepComparison, StepSnapshot, StepType } from "../schemas/replay.ts";

/** Structural equality of JSON values (key order ignored), for "did the replay change this step's output?". */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

const delta = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);

export interface CompareStep {
  stepId: string;
  type: StepType | null;
  policy: ReplayedPolicy | null;
  original: StepSnapshot | null;
  replay: StepSnapshot | null;
}

/**
 * Per step, what changed between the original and the replay; the first divergence is the first step whose output
 * or error differs. Recorded steps cost nothing in the replay, so their deltas are left out rather than shown as
 * savings. A held step ran nothing, so it neither changed nor diverged.
 */
export function compareSteps(steps: CompareStep[]): { steps: StepComparison[]; firstDivergence: string | null } {
  let firstDivergence: string | null = null;
  const compared = steps.map((s): StepComparison => {
    const { original, replay } = s;
    const changed =
      s.policy === "held"
        ? false
        : original === null || replay === null
          ? original !== replay
          : original.status !== replay.status ||
            !sameJson(original.output ?? null, replay.output ?? null) ||
            (original.error ?? null) !== (replay.error ?? null);
    if (changed && firstDivergence === null && replay !== null) firstDivergence = s.stepId;
    const live = s.policy === "live" && original !== null && replay !== null;
    return {
      ...s,
      changed,
      deltas: {
        inputTokens: live ? delta(original.inputTokens, replay.inputTokens) : null,
        outputTokens: live ? delta(original.outputTokens, replay.outputTokens) : null,
        costUsd: live ? delta(original.costUsd ?? 0, replay.costUsd ?? 0) : null,
        durationMs: live ? delta(original.durationMs, replay.durationMs) : null,
      },
    };
  });
  return { steps: compared, firstDivergence };
}
