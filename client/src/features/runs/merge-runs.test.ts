import { describe, expect, it } from "vitest";
import type { RunSummary } from "@shared/schemas/runs.ts";
import { applyLiveRuns, MAX_LIVE_RUNS, mergeRuns, type LiveRun } from "./merge-runs.ts";

const run = (id: string, patch: Partial<RunSummary> = {}): RunSummary => ({
  id,
  seq: 1,
  name: "support-triage",
  status: "success",
  startedAt: "2026-06-03T10:00:00.000Z",
  endedAt: "2026-06-03T10:00:01.000Z",
  durationMs: 1000,
  workflow: "support-triage",
  workflowVersionId: null,
  tags: [],
  conversationId: null,
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  spanCount: 1,
  errorCount: 0,
  unpricedCount: 0,
  replayOf: null,
  error: null,
  verdict: null,
  verdictStep: null,
  ...patch,
});

const overlayOf = (...entries: [RunSummary, number][]): ReadonlyMap<string, LiveRun> =>
  new Map(entries.map(([r, receivedAt]) => [r.id, { run: r, receivedAt }]));

const ids = (rows: readonly RunSummary[]) => rows.map((r) => r.id);

describe("applyLiveRuns", () => {
  it("keeps the copy with the greater seq, whatever order the copies arrive in", () => {
    let overlay = applyLiveRuns(new Map(), [run("a", { seq: 5, status: "error" })], 100);
    overlay = applyLiveRuns(overlay, [run("a", { seq: 3, status: "running" })], 200);
    expect(overlay.get("a")).toEqual({ run: run("a", { seq: 5, status: "error" }), receivedAt: 100 });
    overlay = applyLiveRuns(overlay, [run("a", { seq: 6, status: "success" })], 300);
    expect(overlay.get("a")).toEqual({ run: run("a", { seq: 6, status: "success" }), receivedAt: 300 });
  });

  it("returns the same map when the batch holds nothing newer, so the page can skip a render", () => {
    const prev = applyLiveRuns(new Map(), [run("a", { seq: 2 }), run("b", { seq: 1 })], 100);
    expect(applyLiveRuns(prev, [run("a", { seq: 2 }), run("b", { seq: 0 })], 200)).toBe(prev);
    expect(applyLiveRuns(prev, [], 200)).toBe(prev);
  });

  it("takes the newest of several copies of one run in a single batch", () => {
    const overlay = applyLiveRuns(new Map(), [run("a", { seq: 1 }), run("a", { seq: 4 }), run("a", { seq: 2 })], 1);
    expect(overlay.get("a")?.run.seq).toBe(4);
  });

  it("does not change the map it was given", () => {
    const prev = applyLiveRuns(new Map(), [run("a", { seq: 1 })], 1);
    applyLiveRuns(prev, [run("a", { seq: 2 }), run("b")], 2);
    expect([...prev.keys()]).toEqual(["a"]);
    expect(prev.get("a")?.run.seq).toBe(1);
  });

  it("remembers at most MAX_LIVE_RUNS runs, forgetting those updated longest ago first", () => {
    const many = Array.from({ length: MAX_LIVE_RUNS }, (_, i) => run(`r${i}`));
    let overlay = applyLiveRuns(new Map(), many, 1);
    // r0 changes again, so r1 is now the one updated longest ago.
    overlay = applyLiveRuns(overlay, [run("r0", { seq: 2 }), run("new")], 2);
    expect(overlay.size).toBe(MAX_LIVE_RUNS);
    expect(overlay.has("r1")).toBe(false);
    expect(overlay.has("r0")).toBe(true);
    expect(overlay.has("new")).toBe(true);
    expect([...overlay.keys()].slice(-2)).toEqual(["r0", "new"]);
  });
});

describe("mergeRuns", () => {
  const loaded = { hasMore: false, fetchedAt: 1_000 };

  it("swaps in a live copy of a loaded run only when its seq is greater", () => {
    const pages = [run("a", { seq: 3, status: "running" }), run("b", { seq: 3, status: "running" })];
    const overlay = overlayOf([run("a", { seq: 4, status: "success" }), 2_000], [run("b", { seq: 2 }), 2_000]);
    const { rows, liveIds, pending } = mergeRuns(pages, overlay, {}, loaded);
    expect(rows.map((r) => [r.id, r.seq, r.status])).toEqual([
      ["a", 4, "success"],
      ["b", 3, "running"],
    ]);
    // Updated rows are not "new": only inserted ones are highlighted.
    expect(liveIds.size).toBe(0);
    expect(pending).toBe(0);
  });

  it("shows a run that two pages both returned once", () => {
    const { rows } = mergeRuns([run("a"), run("b"), run("a", { seq: 9 })], new Map(), {}, loaded);
    expect(ids(rows)).toEqual(["a", "b"]);
    expect(rows[0]!.seq).toBe(1);
  });

  it("inserts live runs that match the filters in start order, newest first, the greater id first on a tie", () => {
    const pages = [
      run("p1", { startedAt: "2026-06-03T10:05:00.000Z" }),
      run("p2", { startedAt: "2026-06-03T10:01:00.000Z" }),
    ];
    const overlay = overlayOf(
      [run("l-old", { startedAt: "2026-06-03T10:03:00.000Z" }), 2_000],
      [run("l-new", { startedAt: "2026-06-03T10:09:00.000Z" }), 2_000],
      [run("q-tie", { startedAt: "2026-06-03T10:05:00.000Z" }), 2_000],
      [run("l-failed", { startedAt: "2026-06-03T10:04:00.000Z", status: "error" }), 2_000],
    );
    const { rows, liveIds } = mergeRuns(pages, overlay, { status: "success" }, loaded);
    expect(ids(rows)).toEqual(["l-new", "q-tie", "p1", "l-old", "p2"]);
    expect([...liveIds].sort()).toEqual(["l-new", "l-old", "q-tie"]);
  });

  it("leaves a live run older than the last loaded row to the next page when there is one", () => {
    const pages = [run("p1", { startedAt: "2026-06-03T10:05:00.000Z" })];
    const older = run("older", { startedAt: "2026-06-03T09:00:00.000Z" });
    const overlay = overlayOf([older, 2_000]);
    expect(ids(mergeRuns(pages, overlay, {}, { hasMore: true, fetchedAt: 1_000 }).rows)).toEqual(["p1"]);
    expect(ids(mergeRuns(pages, overlay, {}, { hasMore: false, fetchedAt: 1_000 }).rows)).toEqual(["p1", "older"]);
  });

  it("counts, without showing, runs changed since the load that only the server can match against the text", () => {
    const overlay = overlayOf(
      [run("after", { name: "inbox-digest" }), 2_000],
      [run("before", { name: "inbox-digest" }), 500],
      [run("by-name", { name: "refund-agent" }), 2_000],
    );
    const { rows, pending, liveIds } = mergeRuns([], overlay, { q: "refund" }, loaded);
    expect(ids(rows)).toEqual(["by-name"]);
    expect([...liveIds]).toEqual(["by-name"]);
    expect(pending).toBe(1);
  });

  it("keeps a replay starting out of the default list, and shows it under the replays filter", () => {
    const overlay = overlayOf([run("replay", { replayOf: "orig" }), 2_000], [run("prod"), 2_000]);
    expect(ids(mergeRuns([], overlay, {}, loaded).rows)).toEqual(["prod"]);
    expect(ids(mergeRuns([], overlay, { origin: "replays" }, loaded).rows)).toEqual(["replay"]);
    expect(ids(mergeRuns([], overlay, { origin: "all" }, loaded).rows).sort()).toEqual(["prod", "replay"]);
  });

  it("in another order, updates listed rows in place and holds new runs back for a refresh", () => {
    const pages = [run("cheap", { costUsd: 1, seq: 1 }), run("dear", { costUsd: 5, seq: 1 })];
    const overlay = overlayOf(
      [run("cheap", { costUsd: 9, seq: 2 }), 2_000],
      [run("new", { costUsd: 3 }), 2_000],
      [run("seen-before-load", { costUsd: 3 }), 500],
      [run("failed", { status: "error" }), 2_000],
    );
    const merged = mergeRuns(pages, overlay, { status: "success" }, { ...loaded, placeLive: false });
    expect(merged.rows.map((r) => [r.id, r.costUsd])).toEqual([
      ["cheap", 9],
      ["dear", 5],
    ]);
    expect(merged.liveIds.size).toBe(0);
    expect(merged.held).toBe(1);
  });
});
