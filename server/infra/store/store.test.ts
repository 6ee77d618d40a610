import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TEST_REDIS_URL } from "../../../tests/helpers/env.ts";
import { HAS_REDIS_SERVER, TestRedisServer, freePort } from "../../../tests/helpers/redis-server.ts";
import { createLogger } from "../logger.ts";
import {
  EMPTY_STREAM_ID,
  type SharedStore,
  SharedStoreUnavailableError,
  type StreamEntry,
  compareStreamIds,
  subscribeStream,
} from "./index.ts";
import { MemoryStore } from "./memory.ts";
import { RedisStore } from "./redis.ts";

const log = createLogger({ env: "test", log: { level: "error", dir: "", files: false, json: true } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(50);
  }
}

function nextMessage(store: SharedStore, channel: string): Promise<string> {
  return new Promise((resolve) => {
    void store.subscribe(channel, (m) => resolve(m));
  });
}

const unique = () => `t${Date.now()}${Math.random().toString(36).slice(2, 8)}`;

function storeContract(name: string, make: () => Promise<SharedStore>) {
  describe(name, () => {
    let store: SharedStore;
    beforeAll(async () => {
      store = await make();
    });
    afterAll(() => store.close());

    it("delivers published messages to subscribers until they unsubscribe", async () => {
      const channel = unique();
      const received: string[] = [];
      const off = await store.subscribe(channel, (m) => received.push(m));
      await store.publish(channel, "one");
      await waitFor(() => received.length === 1);
      off();
      await store.publish(channel, "two");
      await sleep(100);
      expect(received).toEqual(["one"]);
    });

    it("appends to an ordered log, delivers each entry live and replays what follows an id", async () => {
      const stream = unique();
      const options = { maxLen: 100, ttlMs: 60_000 };
      expect(await store.lastId(stream)).toBe(EMPTY_STREAM_ID);
      const live: StreamEntry[] = [];
      const off = await subscribeStream(store, stream, (e) => live.push(e));
      const ids: string[] = [];
      for (const n of [1, 2, 3, 4]) ids.push(await store.append(stream, `m${n}`, options));
      await waitFor(() => live.length === 4);
      off();
      expect(live.map((e) => e.message)).toEqual(["m1", "m2", "m3", "m4"]);
      expect(live.map((e) => e.id)).toEqual(ids);
      expect([...ids].sort(compareStreamIds)).toEqual(ids);
      expect(await store.lastId(stream)).toBe(ids[3]);

      const after = await store.readAfter(stream, ids[1]!, 10);
      expect(after).toEqual({ complete: true, entries: [live[2], live[3]] });
      expect(await store.readAfter(stream, ids[3]!, 10)).toEqual({ complete: true, entries: [] });
      expect((await store.readAfter(stream, EMPTY_STREAM_ID, 10)).entries).toHaveLength(4);
      // More than the limit after the id: the reader is told it cannot have everything.
      expect((await store.readAfter(stream, ids[0]!, 2)).complete).toBe(false);
      // An id the log never had (or no longer has) is not a resumable position.
      expect(await store.readAfter(stream, "1-0", 10)).toEqual({ complete: false, entries: [] });
    });

    it("keeps a log to its maximum length", async () => {
      const stream = unique();
      const ids: string[] = [];
      for (let n = 0; n < 300; n++) ids.push(await store.append(stream, `m${n}`, { maxLen: 10, ttlMs: 60_000 }));
      const { entries } = await store.readAfter(stream, EMPTY_STREAM_ID, 1000);
      expect(entries.length).toBeGreaterThanOrEqual(10);
      expect(entries.length).toBeLessThan(300);
      expect(entries.at(-1)?.id).toBe(ids.at(-1));
      expect((await store.readAfter(stream, ids[0]!, 1000)).complete).toBe(false);
    });

    it("counts within a window and starts over when it expires", async () => {
      const key = unique();
      expect((await store.increment(key, 300)).count).toBe(1);
      const second = await store.increment(key, 300);
      expect(second.count).toBe(2);
      expect(second.ttlMs).toBeGreaterThan(0);
      expect(second.ttlMs).toBeLessThanOrEqual(300);
      await sleep(400);
      expect((await store.increment(key, 300)).count).toBe(1);
    });

    it("keeps values until their expiry and deletes on request", async () => {
      const a = unique();
      const b = unique();
      await store.set(a, "short", 150);
      await store.set(b, "long", 10_000);
      expect(await store.get(a)).toBe("short");
      await sleep(250);
      expect(await store.get(a)).toBeNull();
      expect(await store.get(b)).toBe("long");
      await store.delete(b);
      expect(await store.get(b)).toBeNull();
    });

    it("hands a taken value to exactly one of several concurrent takers", async () => {
      const key = unique();
      await store.set(key, "once", 10_000);
      const taken = await Promise.all([store.take(key), store.take(key), store.take(key)]);
      expect(taken.filter((v) => v === "once")).toHaveLength(1);
      expect(taken.filter((v) => v === null)).toHaveLength(2);
      expect(await store.get(key)).toBeNull();
    });

    it("keeps a set of members, removes one on request and drops the set at its expiry", async () => {
      const key = unique();
      expect(await store.setMembers(key)).toEqual([]);
      await store.setAdd(key, "a", 10_000);
      await store.setAdd(key, "b", 10_000);
      await store.setAdd(key, "a", 10_000);
      expect((await store.setMembers(key)).sort()).toEqual(["a", "b"]);
      await store.setRemove(key, "a");
      expect(await store.setMembers(key)).toEqual(["b"]);
      // Each add restarts the expiry of the whole set.
      await store.setAdd(key, "c", 150);
      await sleep(250);
      expect(await store.setMembers(key)).toEqual([]);
    });
  });
}

storeContract("MemoryStore", async () => new MemoryStore());

const redisUrl = TEST_REDIS_URL;
if (redisUrl) {
  storeContract("RedisStore (TEST_REDIS_URL)", async () => {
    const store = new RedisStore(redisUrl, log);
    await store.connect();
    return store;
  });

  it("carries messages between two stores on the same Redis (two instances)", async () => {
    const a = new RedisStore(redisUrl, log);
    const b = new RedisStore(redisUrl, log);
    await Promise.all([a.connect(), b.connect()]);
    try {
      const channel = unique();
      const got = nextMessage(b, channel);
      await sleep(50);
      await a.publish(channel, "from-a");
      expect(await got).toBe("from-a");
      const key = unique();
      await a.increment(key, 5000);
      expect((await b.increment(key, 5000)).count).toBe(2);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
}

// Needs the redis-server binary to stop and start a private server; without it there is nothing to kill.
describe.skipIf(!HAS_REDIS_SERVER)("RedisStore when Redis goes away and comes back", () => {
  let server: TestRedisServer;
  let store: RedisStore | undefined;
  let probe: Redis | undefined;

  beforeAll(async () => {
    server = new TestRedisServer(await freePort());
  });
  afterEach(async () => {
    await store?.close();
    probe?.disconnect();
    await server.stop();
  });

  it("starts on the fallback when Redis is unreachable, then moves to Redis when it answers", async () => {
    store = new RedisStore(server.url, log);
    await store.connect(300);
    expect(store.health().state).toBe("degraded");
    await store.set("k", "memory", 60_000);
    expect(await store.get("k")).toBe("memory");

    let changes = 0;
    store.onHealthChange(() => changes++);
    await server.start();
    await waitFor(() => store!.health().state === "ok");
    expect(changes).toBe(1);
    await store.set("k2", "redis", 60_000);
    probe = new Redis(server.url);
    expect(await probe.get("echos:k2")).toBe("redis");
  });

  it("keeps serving on memory when Redis is lost, resubscribes and returns when it is back", async () => {
    await server.start();
    store = new RedisStore(server.url, log);
    await store.connect();
    expect(store.health()).toEqual({ state: "ok", detail: "connected" });
    const channel = "events";
    const received: string[] = [];
    await store.subscribe(channel, (m) => received.push(m));

    await store.publish(channel, "via-redis");
    await waitFor(() => received.includes("via-redis"));

    await server.stop();
    await waitFor(() => store!.health().state === "degraded");
    // Everything keeps working, on the in-memory side.
    await store.publish(channel, "via-memory");
    await waitFor(() => received.includes("via-memory"));
    expect((await store.increment("c", 60_000)).count).toBe(1);
    await store.set("during-outage", "v", 60_000);
    expect(await store.get("during-outage")).toBe("v");

    await server.start();
    await waitFor(() => store!.health().state === "ok");
    // The subscription was restored on the new connection: a message from another client arrives.
    probe = new Redis(server.url);
    await waitFor(async () => (await probe!.publish("echos:events", "from-outside")) > 0);
    await waitFor(() => received.includes("from-outside"));
    await store.set("after", "back", 60_000);
    expect(await probe.get("echos:after")).toBe("back");
    expect(received.filter((m) => m === "via-memory")).toHaveLength(1);
  });
  it("treats a Redis that hangs like a lost one: commands fall back at once, shared-only state refuses, health tells", async () => {
    await server.start();
    store = new RedisStore(server.url, log);
    await store.connect();
    expect(await store.check()).toEqual({ state: "ok", detail: "connected" });
    await store.set("token", "before", 60_000, { sharedOnly: true });

    server.freeze();
    try {
      // Each answer is timed only as a hang detector: a frozen Redis held these until it was thawed.
      const started = Date.now();
      await store.set("during-freeze", "v", 60_000);
      expect(await store.get("during-freeze")).toBe("v");
      expect((await store.increment("rl", 60_000)).count).toBe(1);
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await store.check()).state).toBe("degraded");
      expect(store.health().state).toBe("degraded");
      await expect(store.take("token", { sharedOnly: true })).rejects.toBeInstanceOf(SharedStoreUnavailableError);
      await expect(store.set("t2", "v", 60_000, { sharedOnly: true })).rejects.toBeInstanceOf(
        SharedStoreUnavailableError,
      );
      // Still frozen while ioredis tries to reconnect: the store stays on its fallback and keeps answering.
      await sleep(3000);
      expect(await store.get("during-freeze")).toBe("v");
      expect((await store.check()).state).toBe("degraded");
    } finally {
      server.thaw();
    }
    await waitFor(async () => (await store!.check()).state === "ok");
    // The token was neither used nor lost while Redis hung: it is taken once, now.
    expect(await store.take("token", { sharedOnly: true })).toBe("before");
    expect(await store.take("token", { sharedOnly: true })).toBeNull();
  });
});
