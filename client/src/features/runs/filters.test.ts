import { describe, expect, it } from "vitest";
import type { RunSummary } from "@shared/schemas/runs.ts";
import {
  hasFilters,
  matchRun,
  parseFilters,
  parseOrder,
  toQueryFilters,
  withFilters,
  withOrder,
  type UrlFilters,
} from "./filters.ts";

const NONE: UrlFilters = {
  origin: "production",
  status: null,
  workflow: null,
  tag: null,
  range: null,
  from: null,
  to: null,
  q: "",
};

describe("the Runs filters in the URL", () => {
  it("reads back exactly the filters that were written", () => {
    const filters: UrlFilters = {
      origin: "replays",
      status: "error",
      workflow: "support-triage",
      tag: "prod",
      range: "custom",
      from: "2026-06-01T00:00:00.000Z",
      to: "2026-06-02T12:30:00.000Z",
      q: "refund of 2998",
    };
    const params = withFilters(new URLSearchParams(), filters);
    expect(parseFilters(new URLSearchParams(params.toString()))).toEqual(filters);
  });

  it("reads no filters from an empty query string", () => {
    expect(parseFilters(new URLSearchParams(""))).toEqual(NONE);
    expect(hasFilters(NONE)).toBe(false);
  });

  it("ignores unknown statuses and ranges, unreadable times and empty values", () => {
    const f = parseFilters(new URLSearchParams("status=lost&range=2y&from=yesterday&to=&workflow=&tag="));
    expect(f).toEqual(NONE);
  });

  it("normalises times to ISO and caps the text at 200 characters", () => {
    const f = parseFilters(new URLSearchParams({ from: "2026-06-01T02:00:00+02:00", q: "x".repeat(250) }));
    expect(f.from).toBe("2026-06-01T00:00:00.000Z");
    expect(f.q).toHaveLength(200);
  });

  it("removes a parameter set to an empty value and keeps parameters that are not filters", () => {
    const params = new URLSearchParams("status=error&q=refund&span=abc");
    const next = withFilters(params, { status: null, q: "" });
    expect(next.toString()).toBe("span=abc");
    // The original is left alone.
    expect(params.get("status")).toBe("error");
  });

  it("drops the custom times when a relative range is picked, and keeps them for the custom range", () => {
    const custom = new URLSearchParams("range=custom&from=2026-06-01T00:00:00.000Z&to=2026-06-02T00:00:00.000Z");
    expect(withFilters(custom, { range: "7d" }).toString()).toBe("range=7d");
    expect(withFilters(custom, { range: null }).toString()).toBe("");
    expect(withFilters(custom, { range: "custom" }).get("from")).toBe("2026-06-01T00:00:00.000Z");
    expect(withFilters(custom, { status: "error" }).get("to")).toBe("2026-06-02T00:00:00.000Z");
  });

  it("leaves production runs, the default, out of the URL and counts any other origin as a filter", () => {
    expect(withFilters(new URLSearchParams("origin=all"), { origin: "production" }).toString()).toBe("");
    expect(parseFilters(new URLSearchParams("origin=bogus")).origin).toBe("production");
    expect(hasFilters({ ...NONE, origin: "all" })).toBe(true);
    expect(toQueryFilters({ ...NONE, origin: "replays" }, 0)).toEqual({ origin: "replays" });
    expect(toQueryFilters(NONE, 0)).toEqual({});
  });

  it("sorts by a column from its largest values, flips on a second click, and keeps the default out of the URL", () => {
    const start = parseOrder(new URLSearchParams("sort=name&dir=up"));
    expect(start).toEqual({ sort: "started", dir: "desc" });
    const cost = withOrder(new URLSearchParams("status=error"), start, "cost");
    expect(cost.toString()).toBe("status=error&sort=cost&dir=desc");
    const flipped = withOrder(cost, parseOrder(cost), "cost");
    expect(parseOrder(flipped)).toEqual({ sort: "cost", dir: "asc" });
    expect(withOrder(flipped, parseOrder(flipped), "cost").get("dir")).toBe("desc");
    expect(withOrder(flipped, parseOrder(flipped), "started").toString()).toBe("status=error");
  });

  it("counts blank text as no filter", () => {
    expect(hasFilters({ ...NONE, q: "   " })).toBe(false);
    expect(hasFilters({ ...NONE, q: "x" })).toBe(true);
    expect(hasFilters({ ...NONE, range: "1h" })).toBe(true);
    expect(hasFilters({ ...NONE, tag: "prod" })).toBe(true);
  });
});

describe("toQueryFilters", () => {
  const anchor = Date.parse("2026-06-03T12:00:00.000Z");

  it("resolves a relative range against the anchor, not the clock", () => {
    expect(toQueryFilters({ ...NONE, range: "1h" }, anchor)).toEqual({ from: "2026-06-03T11:00:00.000Z" });
    expect(toQueryFilters({ ...NONE, range: "7d" }, anchor)).toEqual({ from: "2026-05-27T12:00:00.000Z" });
  });

  it("sends the custom times only with the custom range", () => {
    const times = { from: "2026-06-01T00:00:00.000Z", to: "2026-06-02T00:00:00.000Z" };
    expect(toQueryFilters({ ...NONE, ...times, range: "custom" }, anchor)).toEqual(times);
    expect(toQueryFilters({ ...NONE, ...times }, anchor)).toEqual({});
  });

  it("sends the trimmed text and the set filters only", () => {
    expect(toQueryFilters({ ...NONE, status: "running", tag: "prod", q: "  refund  " }, anchor)).toEqual({
      status: "running",
      tag: "prod",
      q: "refund",
    });
    expect(toQueryFilters({ ...NONE, q: "   " }, anchor)).toEqual({});
  });
});

describe("matchRun", () => {
  const r: RunSummary = {
    id: "0b5c9e1a-run",
    seq: 1,
    name: "Refund-Agent",
    status: "error",
    startedAt: "2026-06-03T10:00:00.000Z",
    endedAt: null,
    durationMs: null,
    workflow: "refund-agent",
    workflowVersionId: null,
    tags: ["prod", "pro"],
    conversationId: "conv-42",
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    spanCount: 0,
    errorCount: 1,
    unpricedCount: 0,
    replayOf: null,
    error: null,
    verdict: null,
    verdictStep: null,
  };

  it("says no when a status, workflow or tag differs", () => {
    expect(matchRun(r, { status: "success" })).toBe("no");
    expect(matchRun(r, { workflow: "support-triage" })).toBe("no");
    expect(matchRun(r, { tag: "dev" })).toBe("no");
    expect(matchRun(r, { status: "error", workflow: "refund-agent", tag: "pro" })).toBe("yes");
  });

  it("takes `from` as inclusive and `to` as exclusive", () => {
    expect(matchRun(r, { from: "2026-06-03T10:00:00.000Z" })).toBe("yes");
    expect(matchRun(r, { from: "2026-06-03T10:00:00.001Z" })).toBe("no");
    expect(matchRun(r, { to: "2026-06-03T10:00:00.001Z" })).toBe("yes");
    expect(matchRun(r, { to: "2026-06-03T10:00:00.000Z" })).toBe("no");
  });

  it("matches text against the id and name (any case) and the exact conversation id, else leaves it to the server", () => {
    expect(matchRun(r, { q: "0B5C9E" })).toBe("yes");
    expect(matchRun(r, { q: " refund " })).toBe("yes");
    expect(matchRun(r, { q: "conv-42" })).toBe("yes");
    expect(matchRun(r, { q: "conv-4" })).toBe("maybe");
    expect(matchRun(r, { q: "voucher" })).toBe("maybe");
    // Text never rescues a run another filter rules out.
    expect(matchRun(r, { q: "refund", status: "running" })).toBe("no");
  });

  it("tells replays from production runs by origin, production when none is given", () => {
    const replay = { ...r, replayOf: "orig" };
    expect(matchRun(replay, {})).toBe("no");
    expect(matchRun(replay, { origin: "production" })).toBe("no");
    expect(matchRun(replay, { origin: "replays" })).toBe("yes");
    expect(matchRun(r, { origin: "replays" })).toBe("no");
    expect(matchRun(replay, { origin: "all" })).toBe("yes");
  });
});
