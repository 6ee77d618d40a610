import { describe, expect, it } from "vitest";
import { computeDiff, diffText } from "./text-diff.tsx";
import { applyReplayEvent, type ReplayLiveState } from "./use-replay-live.ts";
import { flattenForks } from "./fork-tree.tsx";
import { withField } from "./fork-step-form.tsx";
import { defaultPolicy } from "./step-policies.tsx";
import { replayTarget } from "./replay-entry.tsx";
import type { ForkNode, PlanStep, StepSnapshot } from "@shared/schemas/replay.ts";

const snapshot = (status: StepSnapshot["status"], output: unknown = null): StepSnapshot => ({
  spanId: "s",
  status,
  output,
  error: null,
  model: null,
  inputTokens: null,
  outputTokens: null,
  costUsd: null,
  durationMs: null,
  config: null,
  input: null,
});

describe("the live replay view's state", () => {
  const empty: ReplayLiveState = { steps: [], finished: null, lost: false };

  it("orders steps by index, appends streamed tokens, and keeps them when the step ends", () => {
    let s = applyReplayEvent(empty, {
      type: "step",
      stepId: "b",
      index: 1,
      stepType: "llm",
      policy: "live",
      snapshot: snapshot("running"),
    });
    s = applyReplayEvent(s, {
      type: "step",
      stepId: "a",
      index: 0,
      stepType: "tool",
      policy: "recorded",
      snapshot: snapshot("success"),
    });
    s = applyReplayEvent(s, { type: "token", stepId: "b", text: "Hel" });
    s = applyReplayEvent(s, { type: "token", stepId: "b", text: "lo" });
    expect(s.steps.map((x) => [x.stepId, x.policy, x.tokens])).toEqual([
      ["a", "recorded", ""],
      ["b", "live", "Hello"],
    ]);
    s = applyReplayEvent(s, {
      type: "step",
      stepId: "b",
      index: 1,
      stepType: "llm",
      policy: "live",
      snapshot: snapshot("success", "Hello"),
    });
    expect(s.steps[1]).toMatchObject({ tokens: "Hello", snapshot: { status: "success", output: "Hello" } });
    s = applyReplayEvent(s, { type: "finished", status: "success", error: null });
    expect(s.finished).toEqual({ status: "success", error: null });
  });

  it("forgets what it showed when the stream lost its backlog, so the result is read instead", () => {
    const s = applyReplayEvent(applyReplayEvent(empty, { type: "token", stepId: "x", text: "t" }), { type: "reset" });
    expect(s).toEqual({ steps: [], finished: null, lost: true });
  });
});

describe("the Test fix form", () => {
  it("keeps only the fields that differ from the step's own in the override", () => {
    const def = { prompt: "Reply", temperature: 0.7 };
    const changed = withField({}, def, "prompt", "Reply kindly");
    expect(changed).toEqual({ prompt: "Reply kindly" });
    expect(withField(changed, def, "prompt", "Reply")).toEqual({});
    expect(withField({ temperature: 1 }, def, "temperature", undefined)).toEqual({});
  });

  it("keeps side-effect and runtime tool steps recorded by default, and runs the rest live", () => {
    const step = (over: Partial<PlanStep>): PlanStep => ({
      id: "x",
      type: "llm",
      definition: {},
      sideEffects: false,
      needsRuntime: false,
      runtimeConnected: null,
      recorded: null,
      ...over,
    });
    expect(defaultPolicy(step({}))).toBe("live");
    expect(defaultPolicy(step({ type: "http", sideEffects: true }))).toBe("recorded");
    expect(defaultPolicy(step({ type: "tool", needsRuntime: true, runtimeConnected: true }))).toBe("recorded");
  });

  it("offers Test fix on workflow runs and the playground on LLM spans of other traces", () => {
    const llm = { id: "sp 1", name: "answer", kind: "llm" as const, parentId: null };
    expect(replayTarget({ id: "r1", workflowVersionId: "wf@abc" }, llm)?.href).toBe("/runs/r1/replay?step=answer");
    expect(replayTarget({ id: "r1", workflowVersionId: null }, llm)?.href).toBe("/runs/r1/playground?span=sp%201");
    expect(replayTarget({ id: "r1", workflowVersionId: null }, { ...llm, kind: "tool" })).toBeNull();
  });
});

describe("output diffs", () => {
  it("pretty-prints JSON and marks changed words, untruncated", () => {
    const before = { reply: "Sorry for the delay", long: "x".repeat(5000) };
    const after = { reply: "Sorry for the broken parcel", long: "x".repeat(5000) };
    const { mode, changes } = computeDiff(diffText(before), diffText(after));
    expect(mode).toBe("words");
    expect(changes.filter((c) => c.removed).map((c) => c.value.trim())).toEqual(["delay"]);
    expect(changes.filter((c) => c.added).map((c) => c.value.trim())).toEqual(["broken parcel"]);
    expect(changes.map((c) => (c.removed ? "" : c.value)).join("")).toBe(diffText(after));
  });

  it("shows old and new whole when they have little in common", () => {
    const { mode, changes } = computeDiff("Sorry for the delay.", "We refunded your order today.");
    expect(mode).toBe("lines");
    expect(changes.map((c) => [c.removed ? "-" : c.added ? "+" : "=", c.value])).toEqual([
      ["-", "Sorry for the delay."],
      ["+", "We refunded your order today."],
    ]);
  });
});

describe("the fork tree", () => {
  const node = (runId: string, parentRunId: string | null, startedAt: string): ForkNode => ({
    runId,
    parentRunId,
    forkStep: parentRunId ? "answer" : null,
    label: null,
    number: null,
    verdict: null,
    verdictStep: null,
    status: "success",
    startedAt,
    durationMs: 1,
    costUsd: 0,
    createdBy: null,
  });

  it("lists parents before their children, siblings oldest first", () => {
    const rows = flattenForks([
      node("c2", "root", "2026-01-01T00:00:03Z"),
      node("g1", "c1", "2026-01-01T00:00:04Z"),
      node("root", null, "2026-01-01T00:00:00Z"),
      node("c1", "root", "2026-01-01T00:00:01Z"),
    ]);
    expect(rows.map((r) => `${r.depth}:${r.node.runId}`)).toEqual(["0:root", "1:c1", "2:g1", "1:c2"]);
  });
});
