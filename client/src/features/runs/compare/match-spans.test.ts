import { describe, expect, it } from "vitest";
import type { SpanDetail } from "@shared/schemas/runs.ts";
import { matchSpans, placeSpans } from "./match-spans.ts";

let clock = 0;
const span = (
  id: string,
  name: string,
  parentId: string | null = null,
  patch: Partial<SpanDetail> = {},
): SpanDetail => ({
  id,
  runId: "r",
  parentId,
  name,
  kind: "llm",
  status: "success",
  startedAt: new Date(Date.UTC(2026, 0, 1) + clock++ * 1000).toISOString(),
  endedAt: null,
  model: null,
  inputTokens: null,
  outputTokens: null,
  costUsd: null,
  error: null,
  input: null,
  output: null,
  config: null,
  attributes: {},
  ...patch,
});

describe("matching spans of two runs", () => {
  it("keys spans by their names and position among same-named siblings, in execution order", () => {
    const root = span("1", "agent");
    const spans = [root, span("2", "model", "1"), span("3", "tool", "1"), span("4", "model", "1")];
    expect(placeSpans([...spans].reverse()).map((p) => [p.key, p.depth])).toEqual([
      ["agent#0", 0],
      ["agent#0/model#0", 1],
      ["agent#0/tool#0", 1],
      ["agent#0/model#1", 1],
    ]);
  });

  it("pairs spans with different ids at the same place, and shows spans only one run has", () => {
    const a = [span("a1", "triage"), span("a2", "classify", "a1"), span("a3", "order", "a1")];
    const b = [
      span("b1", "triage"),
      span("b2", "classify", "b1"),
      span("b4", "lookup", "b1"),
      span("b3", "order", "b1"),
    ];
    b.push(span("b5", "send", "b1"));
    const rows = matchSpans(a, b);
    expect(rows.map((r) => [r.key, r.a?.id ?? null, r.b?.id ?? null])).toEqual([
      ["triage#0", "a1", "b1"],
      ["triage#0/classify#0", "a2", "b2"],
      ["triage#0/lookup#0", null, "b4"],
      ["triage#0/order#0", "a3", "b3"],
      ["triage#0/send#0", null, "b5"],
    ]);
  });

  it("compares runs of different workflows: nothing in common is two lists side by side", () => {
    const rows = matchSpans([span("x", "research")], [span("y", "refund")]);
    expect(rows.map((r) => [r.a?.id ?? null, r.b?.id ?? null])).toEqual([
      [null, "y"],
      ["x", null],
    ]);
  });
});
