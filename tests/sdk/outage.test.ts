import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs, spans } from "../../db/schema.ts";
import type { RunningServer } from "../../server/server.ts";
import { EchosClient, type EchosDropEvent, type IngestItem } from "../../sdk/index.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { TEST_DATABASE_URL } from "../helpers/env.ts";
import { startHttpServer } from "../helpers/http-server.ts";
import { freePort } from "../helpers/redis-server.ts";
import { startTestServer } from "../helpers/server.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();

/**
 * One run of `count` spans, as a client sends it: the run's start, every span's start, then every end, then the
 * run's end. A span's start and end differ in `attributes` (a column the later item replaces), so a start that
 * reached the server after its end would leave `phase: "start"` behind.
 */
function runItems(runId: string, name: string, count: number): IngestItem[] {
  const ids = Array.from({ length: count }, (_, i) => `${runId}.s${i}`);
  const span = (id: string, i: number) =>
    ({ type: "span", id, runId, name: `step ${i}`, kind: "custom", startedAt: at(i) }) as const;
  return [
    { type: "run", id: runId, name, status: "running", startedAt: at(0) },
    ...ids.map((id, i) => ({ ...span(id, i), status: "running" as const, attributes: { phase: "start" } })),
    ...ids.map((id, i) => ({
      ...span(id, i),
      status: "success" as const,
      endedAt: at(i + 1),
      output: i,
      attributes: { phase: "end" },
    })),
    { type: "run", id: runId, name, status: "success", startedAt: at(0), endedAt: at(count + 1) },
  ];
}

interface Exchange {
  status: number;
  arrivedAt: number;
  answeredAt: number;
}

/**
 * A loopback HTTP peer in front of Echos: answers `canned(n)` to the n-th request when it gives something (status 0:
 * no answer at all), and forwards the others to the server as they are. Records every exchange.
 */
async function frontOf(
  target: () => string,
  canned: (n: number, body: Buffer) => { status: number; retryAfter?: string } | null,
) {
  const exchanges: Exchange[] = [];
  /** The items of each forwarded request, by id, in order. */
  const forwarded: string[][] = [];
  const proxy = await startHttpServer("127.0.0.1", (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const arrivedAt = Date.now();
      const body = Buffer.concat(chunks);
      const answer = canned(exchanges.length, body);
      const record = (status: number) => exchanges.push({ status, arrivedAt, answeredAt: Date.now() });
      if (answer) {
        record(answer.status);
        // Status 0: never answer, like a server that hangs.
        if (answer.status === 0) return;
        res.writeHead(answer.status, {
          "content-type": "application/json",
          ...(answer.retryAfter && { "retry-after": answer.retryAfter }),
        });
        res.end(JSON.stringify({ statusCode: answer.status, error: "Refused", message: "canned answer" }));
        return;
      }
      forwarded.push((JSON.parse(body.toString()) as { items: { id: string }[] }).items.map((i) => i.id));
      void fetch(`${target()}${req.url}`, {
        method: req.method,
        headers: { "content-type": "application/json", "x-api-key": String(req.headers["x-api-key"]) },
        body,
      }).then(async (upstream) => {
        const text = await upstream.text();
        record(upstream.status);
        res.writeHead(upstream.status, { "content-type": "application/json" }).end(text);
      });
    });
  });
  return { url: `http://127.0.0.1:${proxy.port}`, exchanges, forwarded, close: proxy.close };
}

describe("SDK through an outage", () => {
  // On disk when embedded, so the server restarted on the same port finds the same data.
  const dataDir = mkdtempSync(join(tmpdir(), "echos-sdk-outage-"));
  const databaseEnv: Record<string, string> = TEST_DATABASE_URL ? {} : { ECHOS_DATA_DIR: dataDir };
  let port: number;
  let server: RunningServer;
  let user: TestUser;
  let apiKey: string;

  const start = () => startTestServer({ env: { PORT: String(port), ...databaseEnv } });
  const db = () => server.deps.database.db;

  beforeAll(async () => {
    port = await freePort();
    server = await start();
    user = await createUser(server.deps, "sdk-outage");
    apiKey = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "sdk", scope: "ingest" }))
      .key;
  });
  afterAll(async () => {
    await server.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("rides out the server's absence for longer than six attempts and, once it is back on the same port, stores every item, ends after starts", async () => {
    const drops: EchosDropEvent[] = [];
    const client = new EchosClient({
      apiKey,
      apiUrl: server.url,
      flushIntervalMs: 50,
      maxBatchSize: 7,
      retryDelayMs: 20,
      maxRetryDelayMs: 100,
      onDrop: (event) => drops.push(event),
      onError: () => {},
    });
    const prefix = `outage-${randomUUID()}`;
    for (const item of runItems(`${prefix}-before`, `${prefix} before`, 3)) client.enqueue(item);
    expect(await client.flush()).toBe(true);

    await server.shutdown();
    const downAt = Date.now();
    await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
    // Items keep coming while nothing listens, until the client has retried well past the old six attempts.
    let produced = 0;
    for (let i = 0; i < 12 || (client.stats().retries < 20 && i < 400); i++) {
      for (const item of runItems(`${prefix}-${i}`, `${prefix} during`, 4)) client.enqueue(item);
      produced++;
      await sleep(50);
    }
    const during = client.stats();
    server = await start();
    const downForMs = Date.now() - downAt;
    expect(await client.flush()).toBe(true);

    const stats = client.stats();
    const storedRuns = await db()
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.name, `${prefix} during`)));
    const storedSpans = await db()
      .select()
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), like(spans.runId, `${prefix}-%`)));
    console.log(
      `outage of ${downForMs} ms: ${produced} runs (${produced * 10} items) produced while refused; retries during the outage ${during.retries}, queued then ${during.queued}; ` +
        `after: sent ${stats.sent}, dropped ${stats.dropped}, runs stored ${storedRuns.length}, spans stored ${storedSpans.length}`,
    );
    expect(during.retries).toBeGreaterThan(6);
    expect(drops).toEqual([]);
    // The run before the outage had 3 spans (8 items); each run during it has 4 (10 items).
    expect(stats).toMatchObject({ queued: 0, dropped: 0, sent: 8 + produced * 10 });
    expect(storedRuns).toHaveLength(produced);
    expect(storedRuns.every((r) => r.status === "success" && r.endedAt !== null)).toBe(true);
    expect(storedSpans).toHaveLength(3 + produced * 4);
    const notEnded = storedSpans.filter(
      (s) => s.status !== "success" || s.endedAt === null || s.attributes?.phase !== "end",
    );
    expect(notEnded).toEqual([]);
  }, 120_000);

  it("waits the Retry-After of a 503 before sending again, then delivers through the same peer", async () => {
    const front = await frontOf(
      () => server.url,
      (n) => (n < 3 ? { status: 503, retryAfter: "1" } : null),
    );
    const client = new EchosClient({
      apiKey,
      apiUrl: front.url,
      flushIntervalMs: 60_000,
      retryDelayMs: 10,
      maxRetryDelayMs: 50,
      onError: () => {},
    });
    const runId = `busy-${randomUUID()}`;
    try {
      for (const item of runItems(runId, "busy", 2)) client.enqueue(item);
      expect(await client.flush()).toBe(true);
    } finally {
      await front.close();
    }
    const gaps = front.exchanges.slice(1).map((e, i) => e.arrivedAt - front.exchanges[i]!.answeredAt);
    console.log(
      `503 then forward: statuses ${front.exchanges.map((e) => e.status).join(",")}; ms from each answer to the next request ${gaps.join(",")}`,
    );
    expect(front.exchanges.map((e) => e.status)).toEqual([503, 503, 503, 207]);
    // Timers fire on the event loop's millisecond clock, which may run a millisecond or two behind Date.now().
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1000 - 5);
    expect(client.stats()).toMatchObject({ sent: 6, retries: 3, dropped: 0 });
    const [run] = await db()
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.id, runId)));
    expect(run?.status).toBe("success");
  });

  it("sends a request that timed out again, and never resends a batch refused as a whole (400)", async () => {
    // The first request hangs, its retry is refused with 400; the next batch is forwarded.
    const front = await frontOf(
      () => server.url,
      (n) => (n === 0 ? { status: 0 } : n === 1 ? { status: 400 } : null),
    );
    const drops: EchosDropEvent[] = [];
    const client = new EchosClient({
      apiKey,
      apiUrl: front.url,
      flushIntervalMs: 60_000,
      requestTimeoutMs: 300,
      retryDelayMs: 10,
      onDrop: (event) => drops.push(event),
      onError: () => {},
    });
    const first = runItems(`refused-${randomUUID()}`, "refused", 1);
    const second = runItems(`after-refused-${randomUUID()}`, "after refused", 1);
    try {
      for (const item of first) client.enqueue(item);
      expect(await client.flush()).toBe(true);
      for (const item of second) client.enqueue(item);
      expect(await client.flush()).toBe(true);
    } finally {
      await front.close();
    }
    console.log(
      `timeout then 400: statuses ${front.exchanges.map((e) => e.status).join(",")}; retries ${client.stats().retries}; ` +
        `dropped ${drops.map((d) => `${d.reason} ${d.items.length}: ${d.error}`).join(",")}`,
    );
    expect(front.exchanges.map((e) => e.status)).toEqual([0, 400, 207]);
    expect(drops).toEqual([
      { reason: "refused", items: first, error: "Batch of 4 not delivered: HTTP 400: canned answer" },
    ]);
    expect(client.stats()).toMatchObject({ sent: 4, retries: 1, dropped: 4, failed: 4 });
    expect(front.forwarded).toEqual([second.map((i) => i.id)]);
  });

  it("holds at most maxQueueSize items through an outage, drops exactly the oldest overflow and reports it, and delivers the rest", async () => {
    // A port that refuses connections until the gate opens, then passes them to the server.
    const gatePort = await freePort();
    const gate = createServer((socket) => {
      const upstream = connect(port, "127.0.0.1");
      socket.pipe(upstream).pipe(socket);
      socket.on("error", () => upstream.destroy());
      upstream.on("error", () => socket.destroy());
    });
    const drops: EchosDropEvent[] = [];
    const warnings: string[] = [];
    const client = new EchosClient({
      apiKey,
      apiUrl: `http://127.0.0.1:${gatePort}`,
      flushIntervalMs: 60_000,
      maxBatchSize: 5,
      maxQueueSize: 20,
      retryDelayMs: 20,
      maxRetryDelayMs: 100,
      onDrop: (event) => drops.push(event),
      onError: (e) => warnings.push(e.message),
    });
    const prefix = `bounded-${randomUUID()}`;
    const ids = Array.from({ length: 50 }, (_, i) => `${prefix}-${String(i).padStart(2, "0")}`);
    // The fifth item starts the first batch (5 in flight, refused), the next 15 wait, and from then on every new
    // item pushes the oldest waiting one out: items 5…34 go.
    const held: number[] = [];
    for (const id of ids) {
      client.enqueue({ type: "run", id, name: prefix, status: "success", startedAt: at(0), endedAt: at(1) });
      held.push(client.stats().queued);
    }
    await sleep(0);
    const duringOutage = client.stats();
    await new Promise<void>((resolve) => gate.listen(gatePort, "127.0.0.1", resolve));
    try {
      expect(await client.flush()).toBe(true);
    } finally {
      gate.close();
    }

    const stored = await db()
      .select({ id: runs.id })
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.name, prefix)));
    const dropped = drops.flatMap((d) => d.items.map((item) => item.id));
    console.log(
      `bounded queue: 50 items, bound 20: queued ${duringOutage.queued}, dropped ${duringOutage.droppedBy.queue_full} during the outage; ` +
        `after: sent ${client.stats().sent}, stored ${stored.length}, reported dropped ${dropped.length} in ${drops.length} event(s)`,
    );
    // Full from the 20th item on, and never emptied to make room for one.
    expect(held.slice(19)).toEqual(Array.from({ length: 31 }, () => 20));
    expect(duringOutage).toMatchObject({ queued: 20, dropped: 30, droppedBy: { queue_full: 30 } });
    expect(drops.every((d) => d.reason === "queue_full")).toBe(true);
    expect(dropped).toEqual(ids.slice(5, 35));
    expect(warnings.join("\n")).toMatch(/30 item\(s\) dropped: the queue is full \(20 items/);
    expect(stored.map((r) => r.id).sort()).toEqual([...ids.slice(0, 5), ...ids.slice(35)]);
    expect(client.stats()).toMatchObject({ sent: 20, queued: 0, dropped: 30 });
  });

  it("bounds its queue by bytes as well, dropping the oldest items to make room", async () => {
    const drops: EchosDropEvent[] = [];
    const client = new EchosClient({
      apiKey,
      apiUrl: `http://127.0.0.1:${await freePort()}`,
      flushIntervalMs: 60_000,
      maxQueueBytes: 10_000,
      onDrop: (event) => drops.push(event),
      onError: () => {},
    });
    const ids = Array.from({ length: 30 }, (_, i) => `bytes-${String(i).padStart(2, "0")}`);
    const item = (id: string): IngestItem => ({
      type: "run",
      id,
      name: "bytes",
      status: "running",
      startedAt: at(0),
      input: "x".repeat(1000),
    });
    for (const id of ids) client.enqueue(item(id));
    await sleep(0);
    const fit = Math.floor(10_000 / JSON.stringify(item(ids[0]!)).length);
    const stats = client.stats();
    const dropped = drops.flatMap((d) => d.items.map((i) => i.id));
    console.log(
      `bytes bound 10000 (${fit} items fit): queued ${stats.queued} items, ${stats.queuedBytes} bytes; dropped ${dropped.length}`,
    );
    expect(stats.queuedBytes).toBeLessThanOrEqual(10_000);
    expect(stats).toMatchObject({ queued: fit, dropped: 30 - fit });
    expect(dropped).toEqual(ids.slice(0, 30 - fit));
    await client.shutdown(0);
  });

  it("stores the valid items of a batch with one bad item, and reports the bad one once with the server's reason", async () => {
    const front = await frontOf(
      () => server.url,
      () => null,
    );
    const drops: EchosDropEvent[] = [];
    const warnings: string[] = [];
    const client = new EchosClient({
      apiKey,
      apiUrl: front.url,
      flushIntervalMs: 60_000,
      retryDelayMs: 10,
      maxRetryDelayMs: 50,
      onDrop: (event) => drops.push(event),
      onError: (e) => warnings.push(e.message),
    });
    const runId = `partly-bad-${randomUUID()}`;
    const items = runItems(runId, "partly bad", 99);
    const bad = { ...items[150]!, name: "x".repeat(301) };
    items.splice(150, 1, bad);
    try {
      for (const item of items) client.enqueue(item);
      expect(await client.flush()).toBe(true);
    } finally {
      await front.close();
    }
    const storedSpans = await db()
      .select()
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.runId, runId)));
    console.log(
      `one bad item of ${items.length}: requests ${front.exchanges.map((e) => e.status).join(",")}; sent ${client.stats().sent}, ` +
        `rejected ${client.stats().rejected}; spans stored ${storedSpans.length}; reason "${drops[0]?.error}"`,
    );
    expect(front.exchanges.map((e) => e.status)).toEqual([207]);
    expect(drops).toEqual([{ reason: "rejected", items: [bad], error: expect.stringMatching(/^name: .*300/) }]);
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^Item span ${bad.id} rejected: name: `))]);
    expect(client.stats()).toMatchObject({ sent: items.length - 1, retries: 0, dropped: 1, rejected: 1 });
    // The bad item was one span's end: its start stands, every other span ended.
    expect(storedSpans).toHaveLength(99);
    expect(storedSpans.filter((s) => s.status === "running").map((s) => s.id)).toEqual([bad.id]);
  });

  it("halves a batch the server keeps failing with 500 until the item it fails on is alone, and delivers the rest in order", async () => {
    const poison = `poison-${randomUUID()}`;
    // A server with a bug that one item triggers: every request carrying it fails as a whole.
    const front = await frontOf(
      () => server.url,
      (_, body) => (body.includes(poison) ? { status: 500 } : null),
    );
    const drops: EchosDropEvent[] = [];
    const client = new EchosClient({
      apiKey,
      apiUrl: front.url,
      flushIntervalMs: 60_000,
      maxRetryDurationMs: 500,
      retryDelayMs: 10,
      maxRetryDelayMs: 50,
      onDrop: (event) => drops.push(event),
      onError: () => {},
    });
    const runId = `poisoned-${randomUUID()}`;
    const items = runItems(runId, "poisoned", 9);
    const bad: IngestItem = { type: "run", id: poison, name: "poison", status: "running", startedAt: at(0) };
    items.splice(7, 0, bad);
    try {
      for (const item of items) client.enqueue(item);
      expect(await client.flush(10_000)).toBe(true);
    } finally {
      await front.close();
    }
    const statuses = front.exchanges.map((e) => e.status);
    console.log(
      `500 on one item of ${items.length}: ${statuses.filter((s) => s === 500).length} answers 500, ` +
        `batch sizes taken ${front.forwarded.map((f) => f.length).join(",")}; sent ${client.stats().sent}; ` +
        `dropped ${drops.map((d) => `${d.reason} ${d.items.length}`).join(",")}`,
    );
    expect(front.forwarded.flat()).toEqual(items.filter((i) => i !== bad).map((i) => i.id));
    expect(drops).toEqual([
      { reason: "expired", items: [bad], error: expect.stringMatching(/HTTP 500: canned answer$/) },
    ]);
    expect(client.stats()).toMatchObject({ sent: items.length - 1, dropped: 1, queued: 0 });
    const storedSpans = await db()
      .select()
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.runId, runId)));
    expect(storedSpans.filter((s) => s.status === "success")).toHaveLength(9);
  });

  it("splits a batch the server finds too large (413) until the halves pass, in order, and drops only an item too large alone", async () => {
    // A peer that takes at most 1,500 bytes a request, like a proxy with a smaller limit than Echos.
    const front = await frontOf(
      () => server.url,
      (_, body) => (body.length > 1500 ? { status: 413 } : null),
    );
    const drops: EchosDropEvent[] = [];
    const client = new EchosClient({
      apiKey,
      apiUrl: front.url,
      flushIntervalMs: 60_000,
      onDrop: (event) => drops.push(event),
      onError: () => {},
    });
    const prefix = `split-${randomUUID()}`;
    const items: IngestItem[] = Array.from({ length: 20 }, (_, i) => ({
      type: "run",
      id: `${prefix}-${String(i).padStart(2, "0")}`,
      name: prefix,
      status: "success",
      startedAt: at(0),
      input: i === 7 ? "x".repeat(2000) : i,
    }));
    try {
      for (const item of items) client.enqueue(item);
      expect(await client.flush()).toBe(true);
    } finally {
      await front.close();
    }
    const stored = await db()
      .select({ id: runs.id })
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.name, prefix)));
    const statuses = front.exchanges.map((e) => e.status);
    console.log(
      `413 split: ${statuses.filter((s) => s === 413).length} requests refused as too large, ${statuses.filter((s) => s === 207).length} taken; ` +
        `batch sizes taken ${front.forwarded.map((f) => f.length).join(",")}; stored ${stored.length}; dropped ${drops.map((d) => `${d.reason} ${d.items.length}`).join(",")}`,
    );
    const others = items.filter((_, i) => i !== 7).map((i) => i.id);
    expect(front.forwarded.flat()).toEqual(others);
    expect(stored.map((r) => r.id).sort()).toEqual(others);
    expect(drops).toEqual([{ reason: "too_large", items: [items[7]], error: expect.stringMatching(/^HTTP 413/) }]);
    expect(client.stats()).toMatchObject({ sent: 19, retries: 0, dropped: 1, queued: 0 });
  });

  it("gives a batch up once it has failed for maxRetryDurationMs, and reports it with the last error", async () => {
    const drops: EchosDropEvent[] = [];
    const client = new EchosClient({
      apiKey,
      apiUrl: `http://127.0.0.1:${await freePort()}`,
      flushIntervalMs: 60_000,
      maxRetryDurationMs: 300,
      retryDelayMs: 20,
      maxRetryDelayMs: 50,
      onDrop: (event) => drops.push(event),
      onError: () => {},
    });
    const items = runItems(`expired-${randomUUID()}`, "expired", 1);
    for (const item of items) client.enqueue(item);
    expect(await client.flush(10_000)).toBe(true);
    console.log(`expired: ${drops.map((d) => `${d.reason} ${d.items.length}: ${d.error}`).join(",")}`);
    expect(drops).toEqual([
      {
        reason: "expired",
        items,
        error: expect.stringMatching(
          /^Batch of 4 not delivered after \d+ attempts in \d+\.\d s: fetch failed \(ECONNREFUSED\)$/,
        ),
      },
    ]);
    expect(client.stats()).toMatchObject({ queued: 0, sent: 0, dropped: 4, failed: 4 });
    expect(client.stats().retries).toBeGreaterThan(1);
  });

  it("shuts down within its bound while the server is unreachable, and reports what was still queued", async () => {
    const drops: EchosDropEvent[] = [];
    const warnings: string[] = [];
    const client = new EchosClient({
      apiKey,
      apiUrl: `http://127.0.0.1:${await freePort()}`,
      flushIntervalMs: 60_000,
      retryDelayMs: 20,
      maxRetryDelayMs: 100,
      onDrop: (event) => drops.push(event),
      onError: (e) => warnings.push(e.message),
    });
    const items = runItems(`down-${randomUUID()}`, "down", 2);
    for (const item of items) client.enqueue(item);
    expect(await client.flush(300)).toBe(false);
    expect(client.stats()).toMatchObject({ queued: 6, sent: 0 });
    expect(client.stats().retries).toBeGreaterThan(0);

    const final = await client.shutdown(300);
    client.enqueue(items[0]!);
    await sleep(0);
    console.log(`shutdown in an outage: ${JSON.stringify(final.droppedBy)}; warnings: ${warnings.join(" | ")}`);
    expect(final).toMatchObject({ queued: 0, sent: 0, dropped: 6, failed: 6, droppedBy: { shutdown: 6 } });
    expect(drops).toEqual([
      { reason: "shutdown", items, error: "still queued 300 ms after shutdown() began" },
      { reason: "shutdown", items: [items[0]], error: "queued after the client was shut down" },
    ]);
    expect(warnings).toEqual(["6 item(s) dropped: still queued 300 ms after shutdown() began"]);
    expect(client.stats().droppedBy.shutdown).toBe(7);
  });
});
