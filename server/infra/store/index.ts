import type { ServiceState } from "@shared/schemas/health.ts";

/**
 * What the rest of the server needs from Redis: a pub/sub bus, counters with expiry (rate limits) and
 * key-value with expiry (caches, tokens). Backed by Redis when `REDIS_URL` is set (redis.ts), by process memory
 * otherwise (memory.ts), and by memory *temporarily* while a configured Redis is unreachable or does not answer.
 *
 * What that per-instance fallback may carry, and what it may not:
 * - caches (sessions, API keys), live events and presence: yes. A cache miss reads the database; events reach the
 *   subscribers of the instance that published them, which is what a single instance does anyway.
 * - rate limits and login throttling: yes, counted per instance. With N instances a client gets up to N times the
 *   limit while Redis is away: weaker, but still a limit, and refusing every request instead would turn a Redis
 *   outage into a full one.
 * - single-use state whose guarantee spans instances (stream tokens): no. A token must be redeemable on whichever
 *   instance the client reaches and only once across all of them, which memory on one instance cannot promise, so
 *   those calls pass `{ sharedOnly: true }` and get a `SharedStoreUnavailableError` (answered 503) instead.
 */
export interface SharedStore {
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once the subscription is active; the returned function removes it. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => void>;
  /** Adds one to a counter whose window starts at its first increment. */
  increment(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number, options?: SharedOnly): Promise<void>;
  delete(key: string): Promise<void>;
  /** Reads and deletes a value in one step: of several concurrent takers, one gets it (single-use tokens). */
  take(key: string, options?: SharedOnly): Promise<string | null>;
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
  /** The state as last seen (commands and connection events); cheap, for frequent callers. */
  health(): { state: ServiceState; detail: string };
  /** The state after a real round trip to Redis (a PING, under the command timeout): what the health report says. */
  check(): Promise<{ state: ServiceState; detail: string }>;
  /** Called whenever `health()` changes (Redis lost or back). */
  onHealthChange(listener: () => void): () => void;
  close(): Promise<void>;
}

/**
 * `sharedOnly`: the value must live where every instance sees it (Redis when one is configured). While that is
 * unreachable the call fails with SharedStoreUnavailableError instead of using this instance's memory.
 */
export interface SharedOnly {
  sharedOnly?: boolean;
}

/** A `sharedOnly` call while the configured Redis is unreachable or not answering. */
export class SharedStoreUnavailableError extends Error {
  constructor(options?: ErrorOptions) {
    super("Redis is unavailable; state shared between instances cannot be read or written", options);
    this.name = "SharedStoreUnavailableError";
  }
}

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
