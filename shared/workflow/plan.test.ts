import { describe, expect, it } from "vitest";
import { defineWorkflow } from "./define.ts";
import { planInputOf, planReplay, type RecordedStatus } from "./plan.ts";

/** The demo's support triage: it failed at `order`, so nothing after it was ever recorded. */
const triage = defineWorkflow({
  name: "support-triage",
  steps: [
    { id: "classify", type: "llm", model: "echos/sim", prompt: "Classify: {{input.text}}" },
    { id: "order", type: "tool", tool: "lookupOrder", args: { orderId: "{{input.orderId}}" } },
    { id: "urgency", type: "code", code: "return 1" },
    { id: "draft", type: "llm", model: "echos/sim", prompt: "Reply to {{input.text}}" },
    { id: "notify", type: "http", method: "POST", url: "https://hooks.example/notify" },
    { id: "send", type: "tool", tool: "sendEmail", sideEffects: true },
  ],
});

const failedAtOrder: Record<string, RecordedStatus> = { classify: "success", order: "error" };
const finishedRun: Record<string, RecordedStatus> = {
  classify: "success",
  order: "success",
  urgency: "success",
  draft: "success",
  notify: "success",
  send: "success",
};
const input = (recorded: Record<string, RecordedStatus>) => planInputOf(triage.steps, (id) => recorded[id] ?? null);
const actions = (plan: ReturnType<typeof planReplay>) => Object.fromEntries(plan.map((s) => [s.id, s.action]));

describe("planReplay", () => {
  it("keeps steps before the fork recorded, runs the fork and later steps live, and holds unrecorded side effects", () => {
    const plan = planReplay(input(failedAtOrder), "order");
    expect(actions(plan)).toEqual({
      classify: "recorded",
      order: "live",
      urgency: "live",
      draft: "live",
      notify: "held",
      send: "held",
    });
    expect(plan.map((s) => s.place)).toEqual(["before", "fork", "after", "after", "after", "after"]);
    expect(plan.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("uses the original's results for side effects it finished, rather than holding them", () => {
    const plan = planReplay(input(finishedRun), "draft");
    expect(actions(plan)).toEqual({
      classify: "recorded",
      order: "recorded",
      urgency: "recorded",
      draft: "live",
      notify: "recorded",
      send: "recorded",
    });
    expect(plan.every((s) => !s.recordedError)).toBe(true);
  });

  it("runs a held side effect once the user switches it live, and records a step the user keeps recorded", () => {
    const plan = planReplay(input(failedAtOrder), "order", { send: "live", urgency: "recorded" });
    const send = plan.find((s) => s.id === "send")!;
    expect(send).toMatchObject({ policy: "live", action: "live" });
    // urgency was never recorded and acts on nothing: kept recorded, the replay has no output for it.
    expect(plan.find((s) => s.id === "urgency")).toMatchObject({ policy: "recorded", action: "unrecorded" });
    expect(plan.find((s) => s.id === "notify")!.action).toBe("held");
  });

  it("ignores choices for the fork step and the steps before it", () => {
    const plan = planReplay(input(finishedRun), "draft", { classify: "live", draft: "recorded" });
    expect(plan.find((s) => s.id === "classify")).toMatchObject({ policy: "recorded", action: "recorded" });
    expect(plan.find((s) => s.id === "draft")).toMatchObject({ policy: "live", action: "live", place: "fork" });
  });

  it("forks at the first step: nothing is recorded, and side effects follow their recording", () => {
    expect(actions(planReplay(input(failedAtOrder), "classify"))).toEqual({
      classify: "live",
      order: "live",
      urgency: "live",
      draft: "live",
      notify: "held",
      send: "held",
    });
    expect(actions(planReplay(input(finishedRun), "classify"))).toMatchObject({ notify: "recorded", send: "recorded" });
  });

  it("forks at the last step: every earlier step is recorded and only the last runs", () => {
    const plan = planReplay(input(finishedRun), "send");
    expect(plan.map((s) => s.action)).toEqual(["recorded", "recorded", "recorded", "recorded", "recorded", "live"]);
    expect(plan.at(-1)).toMatchObject({ place: "fork", policy: "live" });
  });

  it("marks the recorded failure and the missing spans when the fork is past the step that failed", () => {
    const plan = planReplay(input(failedAtOrder), "draft");
    expect(plan.find((s) => s.id === "order")).toMatchObject({ action: "recorded", recordedError: true });
    // Never reached by the original: no recording to use.
    expect(plan.find((s) => s.id === "urgency")).toMatchObject({ place: "before", action: "unrecorded" });
    expect(plan.find((s) => s.id === "notify")!.action).toBe("held");
  });

  it("treats a span the original left running as missing", () => {
    const plan = planReplay(input({ ...finishedRun, send: "running", urgency: "running" }), "draft");
    expect(plan.find((s) => s.id === "send")!.action).toBe("held");
    expect(plan.find((s) => s.id === "urgency")!.action).toBe("unrecorded");
  });

  it("takes side effects from the definition: GET requests and tools without the flag are not side effects", () => {
    const steps = planInputOf(
      defineWorkflow({
        name: "flags",
        steps: [
          { id: "a", type: "http", url: "https://example.com" },
          { id: "b", type: "http", method: "HEAD", url: "https://example.com" },
          { id: "c", type: "http", method: "DELETE", url: "https://example.com" },
          { id: "d", type: "tool", tool: "t" },
          { id: "e", type: "tool", tool: "t", sideEffects: true },
        ],
      }).steps,
      () => null,
    );
    expect(steps.map((s) => s.sideEffects)).toEqual([false, false, true, false, true]);
  });

  it("holds a step that reads a held step's output, as the engine does, and runs both once the side effect is live", () => {
    const steps = planInputOf(
      defineWorkflow({
        name: "chain",
        steps: [
          { id: "draft", type: "llm", model: "echos/sim", prompt: "Reply to {{input.text}}" },
          { id: "send", type: "tool", tool: "sendReply", args: { body: "{{steps.draft.output}}" }, sideEffects: true },
          { id: "log", type: "tool", tool: "log", args: { receipt: "{{steps.send.output}}" } },
          { id: "check", type: "code", code: "return steps.send === undefined;" },
          { id: "tidy", type: "code", code: "return input.text.trim();" },
        ],
      }).steps,
      (id) => (id === "draft" ? "error" : null),
    );
    expect(steps.find((s) => s.id === "log")!.reads).toEqual(["send"]);
    const plan = planReplay(steps, "draft");
    expect(plan.map((s) => [s.id, s.action, s.waitsFor])).toEqual([
      ["draft", "live", null],
      ["send", "held", null],
      ["log", "held", "send"],
      ["check", "held", "send"],
      ["tidy", "live", null],
    ]);
    const live = planReplay(steps, "draft", { send: "live" });
    expect(live.map((s) => s.action)).toEqual(["live", "live", "live", "live", "live"]);
  });

  it("refuses a fork step the workflow does not have", () => {
    expect(() => planReplay(input(finishedRun), "nope")).toThrow('Unknown fork step "nope"');
  });
});
