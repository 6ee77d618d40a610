import { EventEmitter } from "node:events";
import { Redis, type Result } from "ioredis";
import type { ServiceState } from "../../shared/schemas/health.ts";
import type { Logger } from "./logger.ts";

/**
 * What the rest of the server needs from Redis: a pub/sub bus, counters with expiry (rate limits) and
 * key-value with expiry (caches, tokens). Backed by Redis when `REDIS_URL` is set, by process memory
 * otherwise, and by memory *temporarily* while a configured Redis is unreachable.
 */
export interface SharedStore {
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once the subscription is active; the returned function removes it. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => void>;
  /** Adds one to a counter whose window starts at its first increment. */
  increment(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Reads and deletes a value in one step: of several concurrent takers, one gets it (single-use tokens). */
  take(key: string): Promise<string | null>;
  /** Adds a member to a set and restarts the set's expiry (an index of live things, each with its own key). */
  setAdd(key: string, member: string, ttlMs: number): Promise<void>;
  setRemove(key: string, member: string): Promise<void>;
  setMembers(key: string): Promise<string[]>;
  /**
   * Appends to a capped, ordered log and publishes the entry (`<id>\n<message>`) on the channel of the same name,
   * as one step: subscribers see entries in log order, and a reader who missed some can fetch them by id.
   */
  append(stream: string, message: string, options: StreamOptions): Promise<string>;
  /**
   * Up to `limit` entries after `afterId`, oldest first. `complete` is false when entries may be missing: `afterId`
   * is no longer in the log (trimmed, expired or unknown), or more than `limit` entries follow it.
   */
  readAfter(stream: string, afterId: string, limit: number): Promise<{ entries: StreamEntry[]; complete: boolean }>;
  /** The id of the newest entry, `0-0` for an empty log. */
  lastId(stream: string): Promise<string>;
  health(): { state: ServiceState; detail: string };
  /** Called whenever `health()` changes (Redis lost or back). */
  onHealthChange(listener: () => void): () => void;
  close(): Promise<void>;
}

const PREFIX = "echos:";

export interface StreamEntry {
  id: string;
  message: string;
}
export interface StreamOptions {
  /** Entries kept (approximately, on Redis). */
  maxLen: number;
  /** The log is dropped after this long without a new entry. */
  ttlMs: number;
}
export const EMPTY_STREAM_ID = "0-0";

/** Log ids are `<ms>-<n>` (Redis stream ids); compares them in log order. */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0, an = 0] = a.split("-").map(Number);
  const [bm = 0, bn = 0] = b.split("-").map(Number);
  return am - bm || an - bn;
}

/** Listens to a log's entries as they are appended. */
export function subscribeStream(
  store: SharedStore,
  stream: string,
  onEntry: (entry: StreamEntry) => void,
): Promise<() => void> {
  return store.subscribe(stream, (raw) => {
    const newline = raw.indexOf("\n");
    if (newline > 0) onEntry({ id: raw.slice(0, newline), message: raw.slice(newline + 1) });
  });
}

function afterInLog(entries: StreamEntry[], afterId: string, limit: number) {
  if (afterId === EMPTY_STREAM_ID) {
    return { entries: entries.slice(0, limit), complete: entries.length <= limit };
  }
  const index = entries.findIndex((e) => e.id === afterId);
  if (index < 0) return { entries: [], complete: false };
  const rest = entries.slice(index + 1);
  return { entries: rest.slice(0, limit), complete: rest.length <= limit };
}

export class MemoryStore implements SharedStore {
  private readonly values = new Map<string, { value: string; expiresAt: number }>();
  private readonly streams = new Map<string, { entries: StreamEntry[]; expiresAt: number }>();
  private readonly sets = new Map<string, { members: Set<string>; expiresAt: number }>();
  private lastStreamMs = 0;
  private lastStreamN = 0;
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly sweeper = setInterval(() => this.sweep(), 30_000).unref();

  async publish(channel: string, message: string): Promise<void> {
    this.emitter.emit(channel, message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => void> {
    this.emitter.on(channel, onMessage);
    return () => this.emitter.off(channel, onMessage);
  }

  async increment(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }> {
    const now = Date.now();
    const current = this.live(key, now);
    const expiresAt = current?.expiresAt ?? now + windowMs;
    const count = (current ? Number(current.value) : 0) + 1;
    this.values.set(key, { value: String(count), expiresAt });
    return { count, ttlMs: expiresAt - now };
  }

  async get(key: string): Promise<string | null> {
    return this.live(key, Date.now())?.value ?? null;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.values.set(key, { value, expiresAt: Date.now() + ttlMs });
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }

  async take(key: string): Promise<string | null> {
    const value = this.live(key, Date.now())?.value ?? null;
    this.values.delete(key);
    return value;
  }

  async setAdd(key: string, member: string, ttlMs: number): Promise<void> {
    const set = this.liveSet(key, Date.now()) ?? { members: new Set<string>(), expiresAt: 0 };
    set.members.add(member);
    set.expiresAt = Date.now() + ttlMs;
    this.sets.set(key, set);
  }

  async setRemove(key: string, member: string): Promise<void> {
    const set = this.liveSet(key, Date.now());
    set?.members.delete(member);
    if (set?.members.size === 0) this.sets.delete(key);
  }

  async setMembers(key: string): Promise<string[]> {
    return [...(this.liveSet(key, Date.now())?.members ?? [])];
  }

  async append(stream: string, message: string, { maxLen, ttlMs }: StreamOptions): Promise<string> {
    const now = Date.now();
    if (now > this.lastStreamMs) [this.lastStreamMs, this.lastStreamN] = [now, 0];
    else this.lastStreamN++;
    const id = `${this.lastStreamMs}-${this.lastStreamN}`;
    const log = this.liveStream(stream, now) ?? { entries: [], expiresAt: 0 };
    log.entries.push({ id, message });
    if (log.entries.length > maxLen) log.entries.splice(0, log.entries.length - maxLen);
    log.expiresAt = now + ttlMs;
    this.streams.set(stream, log);
    this.emitter.emit(stream, `${id}\n${message}`);
    return id;
  }

  async readAfter(stream: string, afterId: string, limit: number) {
    return afterInLog(this.liveStream(stream, Date.now())?.entries ?? [], afterId, limit);
  }

  async lastId(stream: string): Promise<string> {
    return this.liveStream(stream, Date.now())?.entries.at(-1)?.id ?? EMPTY_STREAM_ID;
  }

  health(): { state: ServiceState; detail: string } {
    return { state: "not_configured", detail: "REDIS_URL not set; in-memory store (single instance only)" };
  }

  onHealthChange(): () => void {
    return () => {};
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.emitter.removeAllListeners();
    this.values.clear();
    this.streams.clear();
    this.sets.clear();
  }

  private liveSet(key: string, now: number) {
    const set = this.sets.get(key);
    if (set && set.expiresAt <= now) {
      this.sets.delete(key);
      return undefined;
    }
    return set;
  }

  private liveStream(stream: string, now: number) {
    const log = this.streams.get(stream);
    if (log && log.expiresAt <= now) {
      this.streams.delete(stream);
      return undefined;
    }
    return log;
  }

  private live(key: string, now: number) {
    const entry = this.values.get(key);
    if (entry && entry.expiresAt <= now) {
      this.values.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep() {
    const now = Date.now();
    for (const [key, entry] of this.values) if (entry.expiresAt <= now) this.values.delete(key);
    for (const [key, log] of this.streams) if (log.expiresAt <= now) this.streams.delete(key);
    for (const [key, set] of this.sets) if (set.expiresAt <= now) this.sets.delete(key);
  }
}

/** XADD and PUBLISH in one script, so the order subscribers see is the order of the log. */
const APPEND_SCRIPT = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'm', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', KEYS[2], id .. '\\n' .. ARGV[3])
return id`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    echosAppend(
      stream: string,
      channel: string,
      maxLen: number,
      ttlMs: number,
      message: string,
    ): Result<string, Context>;
  }
}

/**
 * Redis with an in-memory fallback. Commands go to Redis while it is ready and to memory otherwise;
 * subscribers listen on both, so a message reaches them whichever side carried it. ioredis keeps
 * reconnecting in the background, and the store returns to Redis as soon as it is back.
 */
export class RedisStore implements SharedStore {
  private readonly client: Redis;
  private readonly subscriber: Redis;
  private readonly fallback = new MemoryStore();
  private readonly handlers = new Map<string, Set<(message: string) => void>>();
  private readonly listeners = new Set<() => void>();
  private state: "unknown" | "up" | "down" = "unknown";
  private closing = false;

  constructor(
    url: string,
    private readonly log: Logger,
  ) {
    const options = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      autoResubscribe: false,
      retryStrategy: (attempt: number) => Math.min(attempt * 250, 2000),
    };
    this.client = new Redis(url, options);
    this.client.defineCommand("echosAppend", { numberOfKeys: 2, lua: APPEND_SCRIPT });
    this.subscriber = new Redis(url, options);
    this.client.on("ready", () => this.transition());
    this.client.on("close", () => this.transition());
    this.client.on("error", () => {}); // state changes are reported by transition(); errors repeat while down
    this.subscriber.on("error", () => {});
    this.subscriber.on("ready", () => {
      const channels = [...this.handlers.keys()].map((c) => PREFIX + c);
      if (channels.length > 0) this.subscriber.subscribe(...channels).catch(() => {});
    });
    this.subscriber.on("message", (channel: string, message: string) => {
      for (const handler of this.handlers.get(channel.slice(PREFIX.length)) ?? []) handler(message);
    });
  }

  /** Connects, waiting at most `waitMs`; an unreachable Redis leaves the store on its fallback. */
  async connect(waitMs = 1500): Promise<void> {
    const attempt = Promise.allSettled([this.client.connect(), this.subscriber.connect()]);
    await Promise.race([attempt, new Promise((r) => setTimeout(r, waitMs))]);
    if (!this.ready()) this.transition();
  }

  private ready(): boolean {
    return this.client.status === "ready";
  }

  private transition() {
    if (this.closing) return;
    const next = this.ready() ? "up" : "down";
    if (next === this.state) return;
    if (next === "up") this.log.info("Redis connected", { store: "redis" });
    else if (this.state === "up")
      this.log.warn("Redis connection lost; serving on the in-memory fallback until it returns");
    else this.log.warn("Redis unreachable; serving on the in-memory fallback until it answers");
    this.state = next;
    for (const listener of this.listeners) listener();
  }

  /** Runs on Redis when ready; on memory when not, or when the command fails mid-flight. */
  private async route<T>(onRedis: (r: Redis) => Promise<T>, onMemory: (m: MemoryStore) => Promise<T>): Promise<T> {
    if (this.ready()) {
      try {
        return await onRedis(this.client);
      } catch (error) {
        this.log.warn("Redis command failed; using the in-memory fallback", { error });
      }
    }
    return onMemory(this.fallback);
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.route(
      async (r) => void (await r.publish(PREFIX + channel, message)),
      (m) => m.publish(channel, message),
    );
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => void> {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      if (this.subscriber.status === "ready") await this.subscriber.subscribe(PREFIX + channel).catch(() => {});
    }
    set.add(onMessage);
    const offMemory = await this.fallback.subscribe(channel, onMessage);
    return () => {
      offMemory();
      set.delete(onMessage);
      if (set.size === 0) {
        this.handlers.delete(channel);
        if (this.subscriber.status === "ready") this.subscriber.unsubscribe(PREFIX + channel).catch(() => {});
      }
    };
  }

  async increment(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }> {
    return this.route(
      async (r) => {
        const k = PREFIX + key;
        const results = await r.multi().set(k, "0", "PX", windowMs, "NX").incr(k).pttl(k).exec();
        const count = Number(results?.[1]?.[1] ?? 1);
        const ttl = Number(results?.[2]?.[1] ?? windowMs);
        return { count, ttlMs: ttl > 0 ? ttl : windowMs };
      },
      (m) => m.increment(key, windowMs),
    );
  }

  async get(key: string): Promise<string | null> {
    return this.route(
      (r) => r.get(PREFIX + key),
      (m) => m.get(key),
    );
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.route(
      async (r) => void (await r.set(PREFIX + key, value, "PX", ttlMs)),
      (m) => m.set(key, value, ttlMs),
    );
  }

  async take(key: string): Promise<string | null> {
    return this.route(
      (r) => r.getdel(PREFIX + key),
      (m) => m.take(key),
    );
  }

  async delete(key: string): Promise<void> {
    // Deleted on both sides: a value written to memory during an outage must not outlive its revocation.
    await Promise.all([
      this.route(
        async (r) => void (await r.del(PREFIX + key)),
        async () => {},
      ),
      this.fallback.delete(key),
    ]);
  }

  async setAdd(key: string, member: string, ttlMs: number): Promise<void> {
    await this.route(
      async (r) =>
        void (await r
          .multi()
          .sadd(PREFIX + key, member)
          .pexpire(PREFIX + key, ttlMs)
          .exec()),
      (m) => m.setAdd(key, member, ttlMs),
    );
  }

  async setRemove(key: string, member: string): Promise<void> {
    // Removed on both sides, like delete(): a member added to memory during an outage must not linger.
    await Promise.all([
      this.route(
        async (r) => void (await r.srem(PREFIX + key, member)),
        async () => {},
      ),
      this.fallback.setRemove(key, member),
    ]);
  }

  async setMembers(key: string): Promise<string[]> {
    return this.route(
      (r) => r.smembers(PREFIX + key),
      (m) => m.setMembers(key),
    );
  }

  async append(stream: string, message: string, options: StreamOptions): Promise<string> {
    return this.route(
      (r) => r.echosAppend(PREFIX + stream, PREFIX + stream, options.maxLen, options.ttlMs, message),
      (m) => m.append(stream, message, options),
    );
  }

  async readAfter(stream: string, afterId: string, limit: number) {
    return this.route(
      async (r) => {
        const key = PREFIX + stream;
        const after = afterId === EMPTY_STREAM_ID ? "-" : `(${afterId}`;
        const [known, following] = await Promise.all([
          afterId === EMPTY_STREAM_ID ? Promise.resolve([["", []]]) : r.xrange(key, afterId, afterId),
          r.xrange(key, after, "+", "COUNT", limit + 1),
        ]);
        if (known.length === 0) return { entries: [], complete: false };
        const entries = following.map(([id, fields]) => ({ id, message: fields[1] ?? "" }));
        return { entries: entries.slice(0, limit), complete: entries.length <= limit };
      },
      (m) => m.readAfter(stream, afterId, limit),
    );
  }

  async lastId(stream: string): Promise<string> {
    return this.route(
      async (r) => (await r.xrevrange(PREFIX + stream, "+", "-", "COUNT", 1))[0]?.[0] ?? EMPTY_STREAM_ID,
      (m) => m.lastId(stream),
    );
  }

  health(): { state: ServiceState; detail: string } {
    return this.ready()
      ? { state: "ok", detail: "connected" }
      : { state: "degraded", detail: "Redis unreachable; using the in-memory fallback (not shared between instances)" };
  }

  onHealthChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.client.disconnect();
    this.subscriber.disconnect();
    await this.fallback.close();
  }
}

export async function createSharedStore(redisUrl: string | undefined, log: Logger): Promise<SharedStore> {
  if (!redisUrl) return new MemoryStore();
  const store = new RedisStore(redisUrl, log);
  await store.connect();
  return store;
}
