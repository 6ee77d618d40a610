import { describe, expect, it } from "vitest";
import { defineWorkflow } from "../workflow/define.ts";
import { cleanLabel, describeReplay, LABEL_MAX } from "./label.ts";

const wf = defineWorkflow({
  name: "support",
  steps: [
    { id: "answer", type: "llm", model: "echos/sim", prompt: "Answer {{input.q}}", temperature: 0.7 },
    { id: "send", type: "tool", tool: "email", sideEffects: true },
  ],
});

describe("variant labels", () => {
  it("names what the overrides and policies change", () => {
    expect(
      describeReplay(wf, "answer", { answer: { temperature: 0.2, prompt: "Answer politely: {{input.q}}" } }, {}),
    ).toBe("answer: temperature 0.7→0.2, prompt edited");
    expect(describeReplay(wf, "answer", { answer: { maxTokens: 50 } }, { send: "live" })).toBe(
      "answer: maxTokens none→50 · send live",
    );
    expect(describeReplay(wf, "answer", { answer: { temperature: 0.7 } }, {})).toBe("answer: re-run unchanged");
    // The form sends every later step's policy; only the ones that differ from the default say anything.
    expect(describeReplay(wf, "answer", {}, { send: "recorded" })).toBe("answer: re-run unchanged");
    expect(describeReplay(null, "answer", { answer: { model: "gpt-4o-mini" } }, {})).toBe(
      "answer: model none→gpt-4o-mini",
    );
    expect(
      describeReplay(
        wf,
        "answer",
        { answer: { prompt: "x".repeat(500) }, send: { args: { a: "y".repeat(300) } } },
        { send: "live", x: "recorded" },
      ).length,
    ).toBeLessThanOrEqual(LABEL_MAX);
  });

  it("keeps a user's name on one line, without control characters", () => {
    expect(cleanLabel("  Fix\u0007 the\norder\t id\u009b ")).toBe("Fix the order id");
  });
});
