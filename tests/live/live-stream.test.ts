import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunEvent, RunsEvent } from "@shared/schemas/runs.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { messages, openSubscription, type TestStream } from "../helpers/sse.ts";

const uid = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;
const at = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString();

describe("live runs over SSE", () => {
  let server: RunningServer;
  let alice: TestUser;
  let mallory: TestUser;
  const keys = new Map<string, string>();
  const streams: TestStream[] = [];

  async function ingest(user: TestUser, items: unknown[]) {
    const res = await fetch(`${server.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": keys.get(user.userId)! },
      body: JSON.stringify({ items }),
    });
    expect(res.status).toBe(207);
  }

  async function subscribe(user: TestUser, path: string, input: Record<string, unknown>) {
    const stream = await openSubscription(
      server.url,
      path,
      { orgId: user.orgId, ...input },
      { cookie: `echos_session=${user.token}` },
    );
    streams.push(stream);
    return stream;
  }

  const runIdsOf = (stream: TestStream) =>
    messages<RunsEvent>(stream).flatMap(({ data }) => (data.type === "runs" ? data.runs.map((r) => r.id) : []));

  beforeAll(async () => {
    server = await startTestServer();
    alice = await createUser(server.deps, "alice");
    mallory = await createUser(server.deps, "mallory");
    for (const user of [alice, mallory]) {
      const { key } = await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "sdk" });
      keys.set(user.userId, key);
    }
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await server.shutdown();
  });

  it("pushes each change of the organisation's runs with its totals, and nothing of another organisation", async () => {
    const { eventId } = await callerFor(server.deps, alice).runs.list({ orgId: alice.orgId, limit: 1 });
    const stream = await subscribe(alice, "runs.live", { lastEventId: eventId });
    const mine = uid("mine");
    const theirs = uid("theirs");
    await ingest(mallory, [{ type: "run", id: theirs, name: "not yours", startedAt: at() }]);
    await ingest(alice, [
      { type: "run", id: mine, name: "triage", startedAt: at(-1000) },
      { type: "span", id: uid("s"), runId: mine, name: "llm", kind: "llm", startedAt: at(-900), inputTokens: 7 },
    ]);
    const first = await stream.waitFor((e) => e.data.includes(mine));
    expect(first.id).toMatch(/^\d+-\d+$/);
    const event = JSON.parse(first.data) as RunsEvent;
    expect(event).toMatchObject({
      type: "runs",
      runs: [{ id: mine, status: "running", inputTokens: 7, spanCount: 1 }],
    });

    await ingest(alice, [
      { type: "run", id: mine, name: "triage", status: "error", startedAt: at(-1000), endedAt: at(), error: "boom" },
    ]);
    const finished = await stream.waitFor((e) => e.data.includes('"status":"error"'));
    const [run] = (JSON.parse(finished.data) as Extract<RunsEvent, { type: "runs" }>).runs;
    expect(run).toMatchObject({ id: mine, status: "error", error: "boom", inputTokens: 7 });
    expect(run!.durationMs).toBeGreaterThanOrEqual(900);
    expect(run!.seq).toBeGreaterThan((event as Extract<RunsEvent, { type: "runs" }>).runs[0]!.seq);
    expect(runIdsOf(stream)).not.toContain(theirs);
  });

  it("refuses another organisation's stream, a visitor without a session and malformed input", async () => {
    const open = (input: string, headers: Record<string, string>) =>
      fetch(`${server.url}/trpc/runs.live?input=${encodeURIComponent(input)}`, {
        headers: { accept: "text/event-stream", ...headers },
      });
    const cookie = { cookie: `echos_session=${alice.token}` };
    const theirs = await open(JSON.stringify({ orgId: mallory.orgId }), cookie);
    expect(theirs.status).toBe(403);
    expect(await theirs.text()).not.toContain("not yours");
    expect((await open(JSON.stringify({ orgId: alice.orgId }), {})).status).toBe(401);
    expect((await open("{not json", cookie)).status).toBe(400);
    expect((await open(JSON.stringify({ orgId: "nope" }), cookie)).status).toBe(400);
  });

  it("serves tRPC callers the same events as browsers", async () => {
    const caller = callerFor(server.deps, alice);
    const { eventId } = await caller.runs.list({ orgId: alice.orgId, limit: 1 });
    const iterable = await caller.runs.live({ orgId: alice.orgId, lastEventId: eventId });
    const id = uid("caller");
    await ingest(alice, [{ type: "run", id, name: "via caller", startedAt: at() }]);
    // The first event after the list is this run; leaving the loop ends the subscription.
    for await (const event of iterable) {
      expect(JSON.stringify(event)).toContain(id);
      break;
    }
  });

  it("resumes a dropped stream from its last event id without gaps or duplicates", async () => {
    const { eventId } = await callerFor(server.deps, alice).runs.list({ orgId: alice.orgId, limit: 1 });
    const ids = Array.from({ length: 6 }, (_, i) => uid(`r${i}`));
    const send = (id: string) => ingest(alice, [{ type: "run", id, name: id, startedAt: at() }]);

    const before = await subscribe(alice, "runs.live", { lastEventId: eventId });
    await send(ids[0]!);
    await send(ids[1]!);
    const seen = await before.waitFor((e) => e.data.includes(ids[1]!));
    before.close();
    // While nobody listens: at-most-once pub/sub would lose these; the log must not.
    await send(ids[2]!);
    await send(ids[3]!);
    await send(ids[4]!);

    const after = await subscribe(alice, "runs.live", { lastEventId: seen.id });
    await after.waitFor((e) => e.data.includes(ids[4]!));
    await send(ids[5]!);
    await after.waitFor((e) => e.data.includes(ids[5]!));
    expect(runIdsOf(after)).toEqual(ids.slice(2));
    expect(runIdsOf(before).filter((id) => ids.includes(id))).toEqual(ids.slice(0, 2));
  });

  it("tells a client whose position is no longer in the log to reload", async () => {
    const stream = await subscribe(alice, "runs.live", { lastEventId: "1-0" });
    const reset = await stream.waitFor((e) => e.event === "message");
    expect(JSON.parse(reset.data)).toEqual({ type: "reset" });
  });

  it("streams one run's spans as they start and end, parents before children or not", async () => {
    const runId = uid("live-run");
    await ingest(alice, [{ type: "run", id: runId, name: "agent", startedAt: at(-500) }]);
    const { eventId, spans } = await callerFor(server.deps, alice).runs.get({ orgId: alice.orgId, runId });
    expect(spans).toEqual([]);
    const stream = await subscribe(alice, "runs.liveRun", { runId, lastEventId: eventId });
    const other = uid("other-run");
    await ingest(alice, [{ type: "run", id: other, name: "other", startedAt: at() }]);
    await ingest(alice, [
      {
        type: "span",
        id: `${runId}-child`,
        parentId: `${runId}-root`,
        runId,
        name: "search",
        kind: "tool",
        startedAt: at(-100),
      },
    ]);
    await ingest(alice, [{ type: "span", id: `${runId}-root`, runId, name: "agent", startedAt: at(-400) }]);
    await ingest(alice, [
      {
        type: "span",
        id: `${runId}-child`,
        runId,
        name: "search",
        kind: "tool",
        status: "error",
        startedAt: at(-100),
        endedAt: at(),
        error: "timeout",
      },
    ]);
    await stream.waitFor((e) => e.data.includes('"error":"timeout"'));
    const events = messages<RunEvent>(stream).map((m) => m.data);
    expect(events.every((e) => e.type === "run" && e.run.id === runId)).toBe(true);
    const spansSeen = events.flatMap((e) => (e.type === "run" ? e.spans.map((s) => `${s.name}:${s.status}`) : []));
    expect(spansSeen).toEqual(["search:running", "agent:running", "search:error"]);
    const last = events.at(-1) as Extract<RunEvent, { type: "run" }>;
    expect(last.run).toMatchObject({ spanCount: 2, errorCount: 1 });
    expect(last.spans[0]).toMatchObject({ parentId: `${runId}-root`, error: "timeout" });
  });
});
