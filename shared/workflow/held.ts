import type { ReplayedPolicy } from "../schemas/replay.ts";
import type { StepResult } from "./types.ts";

/**
 * A step result as a stored span has it: a held step is stored as a finished span (it did not fail) whose
 * `attributes.policy` is "held" and `attributes.held` says what it would have done. Its output stays empty.
 */
export function spanOutcome(result: StepResult): {
  status: "success" | "error";
  policy: ReplayedPolicy;
  held?: string;
} {
  if (result.status === "held") return { status: "success", policy: "held", held: result.held };
  return { status: result.status, policy: result.policy };
}

/** Whether a stored span is a held step (see `spanOutcome`). */
export const isHeldSpan = (attributes: Record<string, unknown> | null | undefined) => attributes?.policy === "held";
