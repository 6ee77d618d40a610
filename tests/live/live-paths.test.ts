import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunsEvent } from "@shared/schemas/runs.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { messages, openSubscription, type TestStream } from "../helpers/sse.ts";

type Message = { id: string | undefined; data: RunsEvent };
const uid = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * Browsers receive `runs.live` from the hand-written event stream (http/live.ts); in-process callers from the tRPC
 * procedure. Both must send the same events with the same ids, or a browser would resume differently from them.
 */
describe("runs.live, through the browsers' event stream and through tRPC", () => {
  let server: RunningServer;
  let alice: TestUser;
  let key: string;
  const streams: TestStream[] = [];

  async function ingestRun(id: string) {
    const res = await fetch(`${server.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify({ items: [{ type: "run", id, name: id, startedAt: new Date().toISOString() }] }),
    });
    expect(res.status).toBe(207);
  }

  const eventId = async () => (await callerFor(server.deps, alice).runs.list({ orgId: alice.orgId, limit: 1 })).eventId;

  /** The event stream's messages from `lastEventId` until one mentions `until`. */
  async function overSse(lastEventId: string, until: string): Promise<Message[]> {
    const stream = await openSubscription(
      server.url,
      "runs.live",
      { orgId: alice.orgId, lastEventId },
      { cookie: `echos_session=${alice.token}` },
    );
    streams.push(stream);
    await stream.waitFor((e) => e.event === "message" && e.data.includes(until));
    stream.close();
    return messages<RunsEvent>(stream);
  }

  /** The procedure's events from `lastEventId` until one mentions `until`. */
  async function overTrpc(lastEventId: string, until: string): Promise<Message[]> {
    const iterable = await callerFor(server.deps, alice).runs.live({ orgId: alice.orgId, lastEventId });
    const received: Message[] = [];
    for await (const event of iterable) {
      // A tracked event reaches an in-process caller as its envelope: [id, data, marker].
      const [id, data] = event as unknown as [string, RunsEvent];
      received.push({ id, data });
      if (JSON.stringify(data).includes(until)) break;
    }
    return received;
  }

  beforeAll(async () => {
    server = await startTestServer();
    alice = await createUser(server.deps, "paths");
    ({ key } = await callerFor(server.deps, alice).apiKeys.create({ orgId: alice.orgId, name: "sdk" }));
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await server.shutdown();
  });

  it("fill the same gap with the same events and ids", async () => {
    const ids = Array.from({ length: 5 }, (_, i) => uid(`gap${i}`));
    await ingestRun(ids[0]!);
    await ingestRun(ids[1]!);
    const from = await eventId();
    for (const id of ids.slice(2)) await ingestRun(id);

    const [sse, trpc] = await Promise.all([overSse(from, ids[4]!), overTrpc(from, ids[4]!)]);
    expect(sse).toEqual(trpc);
    expect(sse.map((m) => (m.data.type === "runs" ? m.data.runs.map((r) => r.id) : [])).flat()).toEqual(ids.slice(2));
    expect(sse.at(-1)!.id).toBe(await eventId());
  });

  it("send the same event for a run that arrives while they follow", async () => {
    const from = await eventId();
    const id = uid("live");
    const both = Promise.all([overSse(from, id), overTrpc(from, id)]);
    await ingestRun(id);
    const [sse, trpc] = await both;
    expect(sse).toEqual(trpc);
    expect(sse).toHaveLength(1);
  });

  it("reset a position the log does not hold in the same way", async () => {
    const [sse, trpc] = await Promise.all([overSse("1-0", "reset"), overTrpc("1-0", "reset")]);
    expect(sse).toEqual(trpc);
    expect(sse).toEqual([{ id: await eventId(), data: { type: "reset" } }]);
  });
});
