import { Redis, type Result } from "ioredis";
import type { ServiceState } from "@shared/schemas/health.ts";
import type { Logger } from "../logger.ts";
import {
  EMPTY_STREAM_ID,
  type SharedOnly,
  type SharedStore,
  SharedStoreUnavailableError,
  type StreamOptions,
} from "./index.ts";
import { MemoryStore } from "./memory.ts";

const PREFIX = "echos:";
/**
 * A command Redis has not answered within this long fails (and the request goes on, on the fallback). A Redis that
 * hangs (stopped, swapping, a network that drops packets) otherwise keeps every request waiting with it.
 */
const COMMAND_TIMEOUT_MS = 1000;
/** A connection on which Redis has sent nothing for this long while commands wait is dropped, and reconnected. */
const SOCKET_TIMEOUT_MS = 5000;
const TIMED_OUT = "Command timed out"; // ioredis's message for commandTimeout
const isTimeout = (error: unknown) => error instanceof Error && error.message === TIMED_OUT;

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
 *
 * A Redis that hangs is treated like one that is gone: once a command times out, the store is on its fallback (and
 * says `degraded`) until Redis answers a PING or a new connection is ready, which needs Redis to answer too.
 * What may fall back, and what refuses instead (`sharedOnly`), is decided in index.ts.
 */
export class RedisStore implements SharedStore {
  private readonly client: Redis;
  private readonly subscriber: Redis;
  private readonly fallback = new MemoryStore();
  private readonly handlers = new Map<string, Set<(message: string) => void>>();
  private readonly listeners = new Set<() => void>();
  private state: "unknown" | "up" | "down" = "unknown";
  /** A command timed out on a connection ioredis still calls ready: Redis hangs. Cleared by a PING or a new connection. */
  private hung = false;
  /** A command timed out and a PING is under way to tell a hung Redis from a busy process. */
  private confirming = false;
  private probe: NodeJS.Timeout | undefined;
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
      commandTimeout: COMMAND_TIMEOUT_MS,
      socketTimeout: SOCKET_TIMEOUT_MS,
      autoResubscribe: false,
      retryStrategy: (attempt: number) => Math.min(attempt * 250, 2000),
    };
    this.client = new Redis(url, options);
    this.client.defineCommand("echosAppend", { numberOfKeys: 2, lua: APPEND_SCRIPT });
    this.subscriber = new Redis(url, options);
    this.client.on("ready", () => this.answered());
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
    return this.client.status === "ready" && !this.hung;
  }

  /** Redis answered (a new connection is ready, or a PING came back): commands go to it again. */
  private answered() {
    this.hung = false;
    clearInterval(this.probe);
    this.probe = undefined;
    this.transition();
  }

  private transition() {
    if (this.closing) return;
    const next = this.ready() ? "up" : "down";
    if (next === this.state) return;
    if (next === "up") this.log.info("Redis connected", { store: "redis" });
    else if (this.state === "up")
      this.log.warn("Redis connection lost or not answering; serving on the in-memory fallback until it returns");
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
        this.failed(error);
      }
    }
    return onMemory(this.fallback);
  }

  /** Runs on Redis or fails: for state that the per-instance fallback must not stand in for. */
  private async sharedOnly<T>(onRedis: (r: Redis) => Promise<T>): Promise<T> {
    if (!this.ready()) throw new SharedStoreUnavailableError();
    try {
      return await onRedis(this.client);
    } catch (error) {
      this.failed(error);
      throw new SharedStoreUnavailableError({ cause: error });
    }
  }

  /**
   * A timed-out command may mean Redis hangs, or only that this process was too busy to read the answer in time (a
   * timer that expired during a long pause fires before the socket is read). So a PING, sent now, decides: if it
   * times out too, Redis hangs, and from then on commands go to the fallback at once (one warning, from
   * transition()) until a PING, tried every second, comes back or a new connection is ready. The socket timeout also
   * drops a silent connection, and ioredis reconnects until Redis answers. Timeouts are not logged one by one;
   * other failures are.
   */
  private failed(error: unknown) {
    if (!isTimeout(error)) {
      this.log.warn("Redis command failed; using the in-memory fallback", { error });
      return;
    }
    if (this.hung || this.closing || this.confirming) return;
    this.confirming = true;
    this.client.ping().then(
      () => (this.confirming = false),
      (pingError: unknown) => {
        this.confirming = false;
        if (isTimeout(pingError)) this.markHung();
      },
    );
  }

  private markHung() {
    if (this.hung || this.closing) return;
    this.hung = true;
    this.transition();
    this.probe = setInterval(() => void this.ping(), 1000).unref();
  }

  private async ping(): Promise<void> {
    if (this.client.status !== "ready") return; // a reconnect is under way; its "ready" ends the hang
    try {
      await this.client.ping();
      this.answered();
    } catch (error) {
      if (isTimeout(error)) this.markHung();
      else this.failed(error);
    }
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

  async set(key: string, value: string, ttlMs: number, options?: SharedOnly): Promise<void> {
    const onRedis = async (r: Redis) => void (await r.set(PREFIX + key, value, "PX", ttlMs));
    if (options?.sharedOnly) return this.sharedOnly(onRedis);
    await this.route(onRedis, (m) => m.set(key, value, ttlMs));
  }

  async take(key: string, options?: SharedOnly): Promise<string | null> {
    const onRedis = (r: Redis) => r.getdel(PREFIX + key);
    if (options?.sharedOnly) return this.sharedOnly(onRedis);
    return this.route(onRedis, (m) => m.take(key));
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
      : {
          state: "degraded",
          detail: "Redis unreachable or not answering; using the in-memory fallback (not shared between instances)",
        };
  }

  async check(): Promise<{ state: ServiceState; detail: string }> {
    await this.ping();
    return this.health();
  }

  onHealthChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.probe);
    this.client.disconnect();
    this.subscriber.disconnect();
    await this.fallback.close();
  }
}
