import { describe, expect, it } from "vitest";
import { verdictOf, type VerdictInput } from "./verdict.ts";

type Step = VerdictInput["replay"]["steps"][number];
const step = (stepId: string, policy: Step["policy"], output: unknown, status: Step["status"] = "success"): Step => ({
  stepId,
  policy,
  output,
  status,
});
const original = (status: "success" | "error", outputs: Record<string, unknown>, output: unknown = null) => ({
  status,
  output,
  steps: new Map(Object.entries(outputs).map(([id, o]) => [id, { stepId: id, status: "success" as const, output: o }])),
});

describe("verdictOf", () => {
  // The demo's support-triage: the original fails at `order`, so `send` was never reached.
  const triage = original("error", { classify: "billing" });

  it("calls a failed original fixed when every step that ran succeeded, held side effects aside", () => {
    const replay = {
      status: "success" as const,
      output: { reply: "Hi" },
      interrupted: false,
      steps: [step("classify", "recorded", "billing"), step("order", "live", { id: 1 }), step("send", "held", null)],
    };
    expect(verdictOf({ original: triage, replay })).toEqual({ verdict: "fixed", step: null });
  });

  it("says where a failed original still fails", () => {
    const replay = {
      status: "error" as const,
      output: null,
      interrupted: false,
      steps: [step("classify", "live", "shipping"), step("order", "live", null, "error")],
    };
    expect(verdictOf({ original: triage, replay })).toEqual({ verdict: "still_failing", step: "order" });
  });

  it("compares a successful original step by step, then by its output", () => {
    const ok = original("success", { a: 1, b: 2 }, { out: 2 });
    const run = (b: unknown, output: unknown) => ({
      status: "success" as const,
      output,
      interrupted: false,
      steps: [step("a", "recorded", 1), step("b", "live", b)],
    });
    expect(verdictOf({ original: ok, replay: run(2, { out: 2 }) })).toEqual({ verdict: "unchanged", step: null });
    expect(verdictOf({ original: ok, replay: run(3, { out: 2 }) })).toEqual({ verdict: "changed", step: "b" });
    expect(verdictOf({ original: ok, replay: run(2, { out: 3 }) })).toEqual({ verdict: "changed", step: null });
    const broke = {
      ...run(null, null),
      status: "error" as const,
      steps: [step("a", "recorded", 1), step("b", "live", null, "error")],
    };
    expect(verdictOf({ original: ok, replay: broke })).toEqual({ verdict: "changed", step: "b" });
  });

  it("says nothing of the fix when the replay was interrupted", () => {
    const replay = {
      status: "error" as const,
      output: null,
      interrupted: true,
      steps: [step("order", "live", null, "error")],
    };
    expect(verdictOf({ original: triage, replay })).toEqual({ verdict: "interrupted", step: null });
  });
});
