import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, codeOf, createUser, type TestUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { ZIngestResponse } from "@shared/schemas/ingest.ts";

const HOUR = 3600_000;
/** A fixed point an hour-aligned way into the past, so every run lands in a known overview bucket. */
const BASE = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

describe("runs API", () => {
  let server: RunningServer;
  let user: TestUser;
  let outsider: TestUser;
  let caller: ReturnType<typeof callerFor>;
  const tag = `t${Math.random().toString(36).slice(2, 8)}`;
  const id = (n: string) => `${tag}-${n}`;

  async function ingest(items: unknown[], apiKey: string) {
    const res = await fetch(`${server.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": apiKey },
      body: JSON.stringify({ items }),
    });
    expect(res.status).toBe(207);
    expect(ZIngestResponse.parse(await res.json()).rejected).toBe(0);
  }

  const run = (n: string, o: Record<string, unknown>) => ({
    type: "run",
    id: id(n),
    name: `run ${n}`,
    status: "success",
    tags: [tag],
    ...o,
  });

  beforeAll(async () => {
    server = await startTestServer();
    user = await createUser(server.deps, "runs");
    outsider = await createUser(server.deps, "outsider");
    caller = callerFor(server.deps, user);
    const { key } = await caller.apiKeys.create({ orgId: user.orgId, name: "sdk" });
    await ingest(
      [
        run("a", {
          startedAt: iso(BASE + 10 * 60_000),
          endedAt: iso(BASE + 10 * 60_000 + 1000),
          workflowVersionId: "triage@aaaaaaaaaaaa",
          input: { ticket: "Refund for order 1234 please" },
          output: "Refund approved",
        }),
        run("b", {
          status: "error",
          startedAt: iso(BASE + 20 * 60_000),
          endedAt: iso(BASE + 20 * 60_000 + 3000),
          workflowVersionId: "triage@aaaaaaaaaaaa",
          input: { ticket: "Where is my parcel" },
          error: "Order not found",
          tags: [tag, "beta"],
        }),
        run("c", {
          startedAt: iso(BASE + HOUR + 5 * 60_000),
          endedAt: iso(BASE + HOUR + 5 * 60_000 + 2000),
          workflowVersionId: "research@bbbbbbbbbbbb",
          input: "Summarise the quarterly report",
          output: { summary: "Revenue grew" },
        }),
        run("d", { status: "running", startedAt: iso(BASE + 2 * HOUR), name: "adhoc trace" }),
        // Two runs at the same instant: the cursor must still page through both.
        run("e1", { startedAt: iso(BASE + 3 * HOUR), endedAt: iso(BASE + 3 * HOUR + 500) }),
        run("e2", { startedAt: iso(BASE + 3 * HOUR), endedAt: iso(BASE + 3 * HOUR + 500) }),
        ...[1, 2, 3].map((n) => ({
          type: "span",
          id: id(`a-s${n}`),
          runId: id("a"),
          parentId: n === 1 ? null : id("a-s1"),
          name: `step ${n}`,
          kind: n === 1 ? "custom" : "llm",
          status: n === 3 ? "error" : "success",
          startedAt: iso(BASE + 10 * 60_000 + n * 100),
          endedAt: iso(BASE + 10 * 60_000 + n * 100 + 50),
          model: n === 1 ? undefined : "echos/sim",
          inputTokens: n === 1 ? undefined : 100 * n,
          outputTokens: n === 1 ? undefined : 10 * n,
          costUsd: n === 1 ? undefined : 0.001 * n,
          input: { messages: [{ role: "user", content: `question ${n}` }] },
          config: { temperature: 0.2 },
          error: n === 3 ? "rate limited" : undefined,
        })),
      ],
      key,
    );
    const other = await callerFor(server.deps, outsider).apiKeys.create({ orgId: outsider.orgId, name: "sdk" });
    await ingest([run("x", { startedAt: iso(BASE), input: "Refund for order 1234 please" })], other.key);
  });
  afterAll(() => server.shutdown());

  const names = async (filters: Record<string, unknown>) =>
    (await caller.runs.list({ orgId: user.orgId, tag, ...filters })).items.map((r) => r.id.slice(tag.length + 1));

  it("lists runs newest first with their totals", async () => {
    const { items, eventId } = await caller.runs.list({ orgId: user.orgId, tag });
    expect(items.map((r) => r.id.slice(tag.length + 1))).toEqual(["e2", "e1", "d", "c", "b", "a"]);
    expect(eventId).toMatch(/^\d+-\d+$/);
    const a = items.find((r) => r.id === id("a"))!;
    expect(a).toMatchObject({
      status: "success",
      workflow: "triage",
      durationMs: 1000,
      inputTokens: 500,
      outputTokens: 50,
      spanCount: 3,
      errorCount: 1,
    });
    expect(a.costUsd).toBeCloseTo(0.005, 10);
    expect(items.find((r) => r.id === id("d"))).toMatchObject({ status: "running", durationMs: null, endedAt: null });
  });

  it("filters by status, workflow, tag, time range and words of the name, input, output or error", async () => {
    expect(await names({ status: "error" })).toEqual(["b"]);
    expect(await names({ workflow: "triage" })).toEqual(["b", "a"]);
    expect(await names({ tag: "beta" })).toEqual(["b"]);
    expect(await names({ from: iso(BASE + HOUR), to: iso(BASE + 3 * HOUR) })).toEqual(["d", "c"]);
    expect(await names({ q: "refund" })).toEqual(["a"]);
    expect(await names({ q: "quarter" })).toEqual(["c"]);
    expect(await names({ q: "revenue grew" })).toEqual(["c"]);
    expect(await names({ q: "not found" })).toEqual(["b"]);
    expect(await names({ q: "adhoc" })).toEqual(["d"]);
    expect(await names({ q: id("e1") })).toContain("e1");
    expect(await names({ q: "refund", status: "error" })).toEqual([]);
    expect(await names({ q: "'; drop table runs; --" })).toEqual([]);
  });

  it("pages with a cursor, without gaps or repeats, also through runs that started at the same instant", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await caller.runs.list({
        orgId: user.orgId,
        tag,
        limit: 2,
        cursor,
      });
      seen.push(...page.items.map((r) => r.id.slice(tag.length + 1)));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(["e2", "e1", "d", "c", "b", "a"]);
    expect(pages).toBe(3);
    expect(await codeOf(caller.runs.list({ orgId: user.orgId, cursor: "garbage" }))).toMatch(
      /^BAD_REQUEST: The page cursor/,
    );
  });

  it("offers the workflows and tags in use as filter values", async () => {
    const facets = await caller.runs.facets({ orgId: user.orgId });
    expect(facets.workflows).toEqual(expect.arrayContaining(["research", "triage"]));
    expect(facets.tags).toEqual(expect.arrayContaining([tag, "beta"]));
  });

  it("returns a run with its span summaries, and one span in full", async () => {
    const { run: detail, spans, truncated } = await caller.runs.get({ orgId: user.orgId, runId: id("a") });
    expect(detail).toMatchObject({ input: { ticket: "Refund for order 1234 please" }, output: "Refund approved" });
    expect(truncated).toBe(false);
    expect(spans.map((s) => [s.name, s.parentId, s.status])).toEqual([
      ["step 1", null, "success"],
      ["step 2", id("a-s1"), "success"],
      ["step 3", id("a-s1"), "error"],
    ]);
    expect(spans[2]).toMatchObject({ error: "rate limited", inputTokens: 300, model: "echos/sim" });
    expect(spans[0]).not.toHaveProperty("input");
    const full = await caller.runs.span({ orgId: user.orgId, runId: id("a"), spanId: id("a-s2") });
    expect(full).toMatchObject({
      input: { messages: [{ role: "user", content: "question 2" }] },
      config: { temperature: 0.2 },
    });
  });

  it("keeps every organisation to its own runs", async () => {
    const theirs = callerFor(server.deps, outsider);
    expect(await codeOf(theirs.runs.get({ orgId: outsider.orgId, runId: id("a") }))).toBe("NOT_FOUND: Run not found");
    expect(await codeOf(caller.runs.get({ orgId: user.orgId, runId: id("x") }))).toBe("NOT_FOUND: Run not found");
    expect(await codeOf(caller.runs.get({ orgId: outsider.orgId, runId: id("x") }))).toMatch(/^FORBIDDEN/);
    expect(await codeOf(theirs.runs.span({ orgId: outsider.orgId, runId: id("a"), spanId: id("a-s2") }))).toBe(
      "NOT_FOUND: Span not found",
    );
    expect(await names({ q: "refund" })).toEqual(["a"]);
    expect((await theirs.runs.list({ orgId: outsider.orgId })).items.map((r) => r.id)).toEqual([id("x")]);
  });

  it("sums runs, errors, latency, tokens and cost per hour for the overview", async () => {
    const { buckets, totals, bucketMs } = await caller.runs.overview({ orgId: user.orgId, range: "24h" });
    expect(bucketMs).toBe(HOUR);
    expect(buckets).toHaveLength(24);
    const at = (ms: number) => buckets.find((b) => b.t === iso(ms))!;
    expect(at(BASE)).toMatchObject({ runs: 2, errors: 1, p50Ms: 2000, inputTokens: 500, outputTokens: 50 });
    expect(at(BASE).p95Ms).toBe(2900);
    expect(at(BASE + HOUR)).toMatchObject({ runs: 1, errors: 0, p50Ms: 2000 });
    expect(at(BASE + 2 * HOUR)).toMatchObject({ runs: 1, p50Ms: null });
    expect(at(BASE + 4 * HOUR)).toMatchObject({ runs: 0, errors: 0 });
    expect(totals).toMatchObject({ runs: 6, errors: 1, inputTokens: 500 });
    expect(totals.costUsd).toBeCloseTo(0.005, 10);
  });
});
