import { describe, expect, it } from "vitest";
import type { SpanSummary } from "@shared/schemas/runs.ts";
import { buildSpanTree, flattenTree, upsertSpans, type SpanTree } from "./span-tree.ts";

const T0 = Date.parse("2026-06-03T10:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();

/** A span starting `start` ms after T0, lasting `ms` (null: still running). */
const span = (id: string, parentId: string | null, start: number, ms: number | null = 10): SpanSummary => ({
  id,
  runId: "run",
  parentId,
  name: id,
  kind: "custom",
  status: ms === null ? "running" : "success",
  startedAt: at(start),
  endedAt: ms === null ? null : at(start + ms),
  model: null,
  inputTokens: null,
  outputTokens: null,
  costUsd: null,
  error: null,
});

/** The tree as "id@depth" in display order, everything expanded. */
const outline = (tree: SpanTree) => flattenTree(tree, new Set()).map((r) => `${r.node.span.id}@${r.node.depth}`);

describe("buildSpanTree", () => {
  it("nests children under their parent, ordered by start time and then id, whatever order the spans came in", () => {
    const spans = [
      span("c2", "root", 30),
      span("gc", "c1", 25),
      span("c1", "root", 20),
      span("b", "root", 30),
      span("root", null, 0, 100),
    ];
    const tree = buildSpanTree(spans);
    expect(outline(tree)).toEqual(["root@0", "c1@1", "gc@2", "b@1", "c2@1"]);
    expect(outline(buildSpanTree([...spans].reverse()))).toEqual(outline(tree));
    expect(tree.byId.get("gc")?.parent?.span.id).toBe("c1");
    expect(tree.byId.get("root")?.children.map((c) => c.span.id)).toEqual(["c1", "b", "c2"]);
  });

  it("orders a replay's steps that all started in one millisecond by their position in the workflow", () => {
    // A replay of support-triage: the recorded steps take no time, so classify, order and urgency share a start.
    const step = (id: string, stepIndex: number, start: number, ms: number | null) => ({
      ...span(`span-${id}`, null, start, ms),
      name: id,
      stepIndex,
    });
    const spans = [
      step("send", 4, 0, null),
      step("urgency", 2, 0, 0),
      step("draft", 3, 0, 0),
      step("classify", 0, 0, 0),
      step("order", 1, 0, 0),
    ];
    const names = (tree: SpanTree) => flattenTree(tree, new Set()).map((r) => r.node.span.name);
    expect(names(buildSpanTree(spans))).toEqual(["classify", "order", "urgency", "draft", "send"]);
    expect(names(buildSpanTree([...spans].reverse()))).toEqual(["classify", "order", "urgency", "draft", "send"]);
  });

  it("without step positions, puts a span that ended the instant another began first, and a running one last", () => {
    // format (no time at all) ran before send, which started in the same millisecond; ids would say otherwise.
    const spans = [span("a-send", null, 50, 30), span("z-format", null, 50, 0), span("m-wait", null, 50, null)];
    expect(outline(buildSpanTree(spans))).toEqual(["z-format@0", "a-send@0", "m-wait@0"]);
  });

  it("hangs a span whose parent has not arrived from the top level, marked as an orphan, until the parent comes", () => {
    const early = buildSpanTree([span("child", "late-parent", 50), span("root", null, 0)]);
    expect(outline(early)).toEqual(["root@0", "child@0"]);
    expect(early.byId.get("child")?.orphan).toBe(true);
    expect(early.byId.get("root")?.orphan).toBe(false);

    const later = buildSpanTree([
      span("child", "late-parent", 50),
      span("root", null, 0),
      span("late-parent", "root", 40),
    ]);
    expect(outline(later)).toEqual(["root@0", "late-parent@1", "child@2"]);
    expect(later.byId.get("child")?.orphan).toBe(false);
  });

  it("treats a span that names itself as its parent as a top-level span, not an orphan", () => {
    const tree = buildSpanTree([span("self", "self", 0)]);
    expect(outline(tree)).toEqual(["self@0"]);
    expect(tree.byId.get("self")?.orphan).toBe(false);
  });

  it("breaks a cycle so that every span is shown exactly once", () => {
    const tree = buildSpanTree([span("root", null, 0), span("a", "b", 10), span("b", "a", 20)]);
    const rows = outline(tree);
    expect(rows.map((r) => r.split("@")[0]).sort()).toEqual(["a", "b", "root"]);
    expect(rows).toEqual(["root@0", "a@0", "b@1"]);
    expect(tree.byId.get("a")?.orphan).toBe(true);
  });

  it("reports the time span and the running and failed spans", () => {
    const failed = { ...span("f", "root", 5, 20), status: "error" as const };
    const tree = buildSpanTree([span("root", null, 0, 30), failed, span("r", "root", 200, null)]);
    expect(tree.minStart).toBe(T0);
    // A running span counts with its start, the latest known moment.
    expect(tree.maxEnd).toBe(T0 + 200);
    expect(tree.running).toBe(1);
    expect(tree.errors).toBe(1);
    expect(buildSpanTree([])).toMatchObject({ roots: [], minStart: null, maxEnd: null, running: 0, errors: 0 });
  });
});

describe("flattenTree", () => {
  const tree = buildSpanTree([
    span("root", null, 0, 100),
    span("a", "root", 10),
    span("a1", "a", 11),
    span("a2", "a", 12),
    span("b", "root", 20),
  ]);

  it("hides the descendants of a collapsed span and shows the span itself as not expanded", () => {
    const rows = flattenTree(tree, new Set(["a"]));
    expect(rows.map((r) => [r.node.span.id, r.expanded])).toEqual([
      ["root", true],
      ["a", false],
      ["b", false],
    ]);
  });

  it("collapsing the top span leaves one row, and a leaf is never expanded", () => {
    expect(flattenTree(tree, new Set(["root"])).map((r) => r.node.span.id)).toEqual(["root"]);
    const all = flattenTree(tree, new Set());
    expect(all.map((r) => r.node.span.id)).toEqual(["root", "a", "a1", "a2", "b"]);
    expect(all.find((r) => r.node.span.id === "a1")?.expanded).toBe(false);
    // Collapsing a leaf changes nothing.
    expect(flattenTree(tree, new Set(["a1"]))).toEqual(all);
  });
});

describe("upsertSpans", () => {
  it("never replaces a finished span by a running copy, but lets a finished copy replace a running one", () => {
    const running = span("s", null, 0, null);
    const finished = span("s", null, 0, 40);
    const afterFinish = upsertSpans(new Map([["s", running]]), [finished]);
    expect(afterFinish.get("s")).toBe(finished);
    expect(upsertSpans(afterFinish, [running]).get("s")).toBe(finished);
  });

  it("lets a newer running copy replace a running one (its tokens and cost so far)", () => {
    const first = span("s", null, 0, null);
    const update = { ...first, inputTokens: 120 };
    expect(upsertSpans(new Map([["s", first]]), [update]).get("s")).toBe(update);
  });

  it("adds new spans without touching the map it was given, and returns it as is for an empty batch", () => {
    const prev = new Map([["a", span("a", null, 0)]]);
    const next = upsertSpans(prev, [span("b", "a", 5)]);
    expect([...next.keys()]).toEqual(["a", "b"]);
    expect([...prev.keys()]).toEqual(["a"]);
    expect(upsertSpans(prev, [])).toBe(prev);
  });
});
