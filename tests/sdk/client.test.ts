import { createServer, connect } from "node:net";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs, spans } from "../../db/schema.ts";
import type { RunningServer } from "../../server/server.ts";
import { EchosClient, type EchosDropEvent, span, trace } from "../../sdk/index.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { freePort } from "../helpers/redis-server.ts";
import { startTestServer } from "../helpers/server.ts";

describe("SDK against a running server", () => {
  let server: RunningServer;
  let user: TestUser;
  let apiKey: string;

  beforeAll(async () => {
    server = await startTestServer();
    user = await createUser(server.deps, "sdk");
    apiKey = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "sdk", scope: "ingest" }))
      .key;
  });
  afterAll(() => server.shutdown());

  it("records nested trace()/span() calls as one connected tree, with errors", async () => {
    const client = new EchosClient({ apiKey, apiUrl: server.url, flushIntervalMs: 60_000 });
    const result = await trace(
      "support-triage",
      async () => {
        const category = await span("classify", async () => "billing", {
          kind: "llm",
          model: "echos/sim",
          input: { text: "refund" },
        });
        await span(
          "lookup",
          async () => {
            await span("http GET /orders", async () => ({ orders: 2 }), { kind: "http" });
          },
          { kind: "tool" },
        );
        await span("flaky", async () => {
          throw new Error("upstream 503");
        }).catch(() => undefined);
        return { category };
      },
      { client, input: { ticket: 7 }, tags: ["test"] },
    );
    expect(result).toEqual({ category: "billing" });
    await client.flush();
    expect(client.stats()).toMatchObject({ queued: 0, dropped: 0, failed: 0, rejected: 0 });

    const [run] = await server.deps.database.db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.name, "support-triage")));
    expect(run).toMatchObject({
      status: "success",
      input: { ticket: 7 },
      output: { category: "billing" },
      tags: ["test"],
    });
    const rows = await server.deps.database.db
      .select()
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.runId, run!.id)))
      .orderBy(asc(spans.startedAt));
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    expect(Object.keys(byName).sort()).toEqual(["classify", "flaky", "http GET /orders", "lookup"]);
    expect(byName.classify).toMatchObject({
      kind: "llm",
      model: "echos/sim",
      status: "success",
      output: "billing",
      parentId: null,
    });
    expect(byName["http GET /orders"]?.parentId).toBe(byName.lookup?.id);
    expect(byName.flaky).toMatchObject({ status: "error", error: "Error: upstream 503" });
  });

  it("dates a trace and its spans by the given clock, keeping real durations, and records an llm span's usage", async () => {
    const client = new EchosClient({ apiKey, apiUrl: server.url, flushIntervalMs: 60_000 });
    const threeHoursAgo = () => Date.now() - 3 * 3_600_000;
    const name = `backfilled-${Date.now()}`;
    await trace(
      name,
      () =>
        span(
          "answer",
          async () => {
            await new Promise((r) => setTimeout(r, 50));
            return { text: "Hello", usage: { prompt: 12, completion: 3 } };
          },
          {
            kind: "llm",
            model: "echos/sim",
            usage: (r) => ({ inputTokens: r.usage.prompt, outputTokens: r.usage.completion }),
          },
        ),
      { client, clock: threeHoursAgo },
    );
    await client.flush();
    const db = server.deps.database.db;
    const [run] = await db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.name, name)));
    const [answer] = await db
      .select()
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.runId, run!.id)));
    expect(Math.abs(run!.startedAt.getTime() - threeHoursAgo())).toBeLessThan(60_000);
    expect(answer!.startedAt.getTime()).toBeGreaterThanOrEqual(run!.startedAt.getTime());
    expect(answer!.endedAt!.getTime() - answer!.startedAt.getTime()).toBeGreaterThanOrEqual(45);
    expect(answer).toMatchObject({ kind: "llm", model: "echos/sim", inputTokens: 12, outputTokens: 3 });
  });

  it("retries while the server is unreachable and delivers each item once when it answers", async () => {
    // A port that refuses connections at first, then forwards to the server: an outage and its end.
    const port = await freePort();
    const gate = createServer((socket) => {
      const upstream = connect(Number(new URL(server.url).port), "127.0.0.1");
      socket.pipe(upstream).pipe(socket);
      socket.on("error", () => upstream.destroy());
      upstream.on("error", () => socket.destroy());
    });
    const client = new EchosClient({
      apiKey,
      apiUrl: `http://127.0.0.1:${port}`,
      flushIntervalMs: 60_000,
    });
    const name = `offline-${Date.now()}`;
    await trace(name, async () => span("step", async () => 1), { client });
    const flushing = client.flush();
    await new Promise((r) => setTimeout(r, 700));
    expect(client.stats().retries).toBeGreaterThan(0);
    await new Promise<void>((resolve) => gate.listen(port, "127.0.0.1", resolve));
    try {
      await flushing;
    } finally {
      gate.close();
    }
    expect(client.stats()).toMatchObject({ sent: 4, failed: 0, queued: 0 });
    const stored = await server.deps.database.db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.name, name)));
    expect(stored).toHaveLength(1);
    expect(stored[0]?.status).toBe("success");
    expect(
      await server.deps.database.db.$count(spans, and(eq(spans.orgId, user.orgId), eq(spans.runId, stored[0]!.id))),
    ).toBe(1);
  });

  it("drops the oldest items when its queue is full, reports every drop, and never throws into the caller", async () => {
    const errors: string[] = [];
    const drops: EchosDropEvent[] = [];
    const client = new EchosClient({
      apiKey: "echos_i_invalid",
      apiUrl: server.url,
      maxQueueSize: 3,
      flushIntervalMs: 60_000,
      onError: (e) => errors.push(e.message),
      onDrop: (event) => drops.push(event),
    });
    await trace(
      "too much",
      async () => {
        await span("a", () => 1, { client });
        await span("b", () => 2, { client });
      },
      { client },
    );
    expect(client.stats()).toMatchObject({ queued: 3, dropped: 3, droppedBy: { queue_full: 3 } });
    expect(await client.flush()).toBe(true);
    expect(client.stats()).toMatchObject({
      queued: 0,
      dropped: 6,
      failed: 3,
      droppedBy: { queue_full: 3, refused: 3 },
    });
    // The run's start and span a went first; b and the run's end were kept, then refused for the bad key.
    expect(drops.flatMap((d) => d.items.map((i) => `${d.reason} ${i.name}:${i.status}`))).toEqual([
      "queue_full too much:running",
      "queue_full a:running",
      "queue_full a:success",
      "refused b:running",
      "refused b:success",
      "refused too much:success",
    ]);
    expect(errors.join("\n")).toMatch(/HTTP 401: Malformed API key/);
  });
});
