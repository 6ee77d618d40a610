import { z } from "zod";
import type { AppDeps } from "../../deps.ts";
import {
  EMPTY_STREAM_ID,
  type SharedStore,
  type StreamEntry,
  compareStreamIds,
  subscribeStream,
} from "../../infra/store/index.ts";

/**
 * Following a log of the shared store (a capped, ordered stream whose entries are also published as they are
 * appended) without gaps or repeats, for every live stream of the product: the organisation's runs, one run, a
 * replay. A follower subscribes first, then reads what came after its last event id from the log, then hands over
 * to the entries that arrived meanwhile and after, skipping any it already delivered.
 */

/** A client's position in a log, as tRPC's `tracked()` ids and EventSource's `Last-Event-ID` carry it. */
export const ZLastEventId = z.string().max(64).nullish();

export interface LogItem {
  readonly id: string;
}

/** One subscription per log and process, each entry parsed once and shared by every follower on this instance. */
export class LogHub<T extends LogItem> {
  private readonly logs = new Map<string, { listeners: Set<(item: T) => void>; off: Promise<() => void> }>();

  constructor(
    private readonly store: SharedStore,
    readonly parse: (entry: StreamEntry) => T,
  ) {}

  async listen(stream: string, listener: (item: T) => void): Promise<() => void> {
    let log = this.logs.get(stream);
    if (!log) {
      const listeners = new Set<(item: T) => void>();
      const off = subscribeStream(this.store, stream, (raw) => {
        const item = this.parse(raw);
        for (const l of listeners) l(item);
      });
      log = { listeners, off };
      this.logs.set(stream, log);
    }
    const current = log;
    current.listeners.add(listener);
    await current.off;
    return () => {
      current.listeners.delete(listener);
      if (current.listeners.size === 0 && this.logs.get(stream) === current) {
        this.logs.delete(stream);
        void current.off.then((off) => off());
      }
    };
  }
}

/** The hub of one kind of log, per store (tests run several servers in one process). */
export function hubsOf<T extends LogItem>(parse: (entry: StreamEntry) => T): (store: SharedStore) => LogHub<T> {
  const hubs = new WeakMap<SharedStore, LogHub<T>>();
  return (store) => {
    let hub = hubs.get(store);
    if (!hub) hubs.set(store, (hub = new LogHub(store, parse)));
    return hub;
  };
}

export type Batch<T> = { kind: "entries"; entries: T[] } | { kind: "reset" };
/** A batch with the id of its last entry (of a reset: the position the follower goes on from). */
export interface Followed<T> {
  id: string;
  batch: Batch<T>;
}

export interface FollowOptions {
  /** Where a follower without a last event id starts: after the newest entry, or at the first. */
  from: "head" | "start";
  /** Entries read from the log per request while catching up. */
  pageSize: number;
  /** A follower further behind than this many entries is told to reset instead of being sent them. */
  maxBehind?: number;
  /** Live entries held for a consumer that does not keep up; beyond this it is told to reset. */
  maxBuffered?: number;
}

/**
 * Follows `stream` from `lastEventId` (exclusive) until `signal` or the process's lifecycle aborts. `reset` comes
 * when the gap cannot be filled: the position is no longer in the log, or it is too far behind.
 */
export function followLog<T extends LogItem>(
  deps: Pick<AppDeps, "store" | "lifecycle">,
  hub: LogHub<T>,
  stream: string,
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
  options: FollowOptions,
): LogFollower<T> {
  return new LogFollower(deps, hub, stream, lastEventId, signal, options);
}

/**
 * Consumed once, either way: `for await` (tRPC's procedures), or `forEach`, which hands each entry over in the
 * same turn as the log delivers it — no promise per entry and follower, which is what lets one process stream to
 * thousands of browsers.
 */
export class LogFollower<T extends LogItem> implements AsyncIterable<Followed<T>> {
  constructor(
    private readonly deps: Pick<AppDeps, "store" | "lifecycle">,
    private readonly hub: LogHub<T>,
    private readonly stream: string,
    private readonly lastEventId: string | null | undefined,
    private readonly signal: AbortSignal | undefined,
    private readonly options: FollowOptions,
  ) {}

  /** Resolves when the follower stops. */
  forEach(deliver: (followed: Followed<T>) => void): Promise<void> {
    return this.run(deliver, undefined);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Followed<T>> {
    const maxBuffered = this.options.maxBuffered ?? Infinity;
    // Whatever the consumer has not taken yet: a reset makes everything before it moot.
    let resetAt: string | null = null;
    let entries: T[] = [];
    let ended = null as { error?: unknown } | null;
    let wake: (() => void) | null = null;
    const left = new AbortController();
    const running = this.run(({ id, batch }) => {
      if (batch.kind === "reset" || entries.length + batch.entries.length > maxBuffered) {
        resetAt = id;
        entries = [];
      } else for (const entry of batch.entries) entries.push(entry);
      wake?.();
    }, left.signal).then(
      () => void (ended = {}),
      (error: unknown) => void (ended = { error }),
    );
    void running.finally(() => wake?.());
    try {
      for (;;) {
        if (resetAt !== null) {
          const id: string = resetAt;
          resetAt = null;
          yield { id, batch: { kind: "reset" } };
        } else if (entries.length > 0) {
          const batch = entries;
          entries = [];
          yield { id: batch.at(-1)!.id, batch: { kind: "entries", entries: batch } };
        } else if (ended) {
          if ("error" in ended) throw ended.error;
          return;
        } else {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
        }
      }
    } finally {
      left.abort();
      await running;
    }
  }

  /** The one implementation: subscribe, catch up from the log, then pass live entries on, skipping repeats. */
  private async run(deliver: (followed: Followed<T>) => void, left: AbortSignal | undefined): Promise<void> {
    const { deps, hub, stream, lastEventId } = this;
    const { from, pageSize, maxBehind = Infinity, maxBuffered = Infinity } = this.options;
    const stop = AbortSignal.any([deps.lifecycle.signal, ...[this.signal, left].filter((s) => s !== undefined)]);
    let last = "";
    // Live entries wait here until the follower has caught up; from then on they are passed on as they come.
    let pending: T[] | null = [];
    let overflow = false;
    const off = await hub.listen(stream, (item) => {
      if (pending === null) {
        if (compareStreamIds(item.id, last) <= 0) return;
        last = item.id;
        deliver({ id: last, batch: { kind: "entries", entries: [item] } });
      } else if (pending.length < maxBuffered) pending.push(item);
      else overflow = true;
    });
    try {
      const head = await deps.store.lastId(stream);
      last = lastEventId || (from === "head" ? head : EMPTY_STREAM_ID);
      if (lastEventId || from === "start") {
        let read = 0;
        while (!stop.aborted) {
          const { entries, complete } = await deps.store.readAfter(stream, last, pageSize);
          read += entries.length;
          if (!complete && (entries.length === 0 || read >= maxBehind)) {
            last = head;
            deliver({ id: head, batch: { kind: "reset" } });
            break;
          }
          if (entries.length > 0) {
            const items = entries.map((entry) => hub.parse(entry));
            last = items.at(-1)!.id;
            deliver({ id: last, batch: { kind: "entries", entries: items } });
          }
          if (complete) break;
        }
      }
      while (overflow) {
        overflow = false;
        pending = [];
        last = await deps.store.lastId(stream);
        deliver({ id: last, batch: { kind: "reset" } });
      }
      const fresh = pending.filter((item) => compareStreamIds(item.id, last) > 0);
      pending = null;
      if (fresh.length > 0) {
        last = fresh.at(-1)!.id;
        deliver({ id: last, batch: { kind: "entries", entries: fresh } });
      }
      if (!stop.aborted) await new Promise((resolve) => stop.addEventListener("abort", resolve, { once: true }));
    } finally {
      off();
    }
  }
}
