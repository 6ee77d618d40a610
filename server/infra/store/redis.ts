import { Redis, type Result } from "ioredis";
import type { ServiceState } from "@shared/schemas/health.ts";
import type { Logger } from "../logger.ts";
import { EMPTY_STREAM_ID, type SharedStore, type StreamOptions } from "./index.ts";
import { MemoryStore } from "./memory.ts";

const PREFIX = "echos:";

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
