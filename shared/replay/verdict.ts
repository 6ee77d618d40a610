import type { ReplayedPolicy } from "../schemas/replay.ts";
import type { Verdict } from "../schemas/runs.ts";
import { sameJson } from "./compare.ts";

export type { Verdict };

export interface VerdictStep {
  stepId: string;
  status: "running" | "success" | "error";
  output: unknown;
}

export interface VerdictInput {
  original: { status: "running" | "success" | "error"; output: unknown; steps: ReadonlyMap<string, VerdictStep> };
  /** The replay's steps in the order they ran, with how each was treated. */
  replay: {
    status: "success" | "error";
    output: unknown;
    interrupted: boolean;
    steps: readonly (VerdictStep & { policy: ReplayedPolicy | null })[];
  };
}

/**
 * A finished replay against its original:
 * - interrupted: the server running it stopped before it finished; it says nothing about the fix;
 * - original failed: *fixed* when every step that ran succeeded (steps held back do not count against it), else
 *   *still failing* at the step that failed;
 * - original succeeded: *changed* when a step that ran live produced another output, the run's output differs, or a
 *   step now fails (the step is named); else *unchanged*.
 */
export function verdictOf({ original, replay }: VerdictInput): { verdict: Verdict; step: string | null } {
  if (replay.interrupted) return { verdict: "interrupted", step: null };
  const failed = replay.steps.find((s) => s.status === "error" && s.policy !== "held")?.stepId ?? null;
  if (original.status === "error")
    return replay.status === "success" ? { verdict: "fixed", step: null } : { verdict: "still_failing", step: failed };
  if (replay.status === "error") return { verdict: "changed", step: failed };
  for (const s of replay.steps) {
    if (s.policy !== "live") continue;
    const o = original.steps.get(s.stepId);
    if (!o || o.status !== s.status || !sameJson(o.output ?? null, s.output ?? null))
      return { verdict: "changed", step: s.stepId };
  }
  if (!sameJson(original.output ?? null, replay.output ?? null)) return { verdict: "changed", step: null };
  return { verdict: "unchanged", step: null };
}
