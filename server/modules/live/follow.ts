import { z } from "zod";
import type { AppDeps } from "../../deps.ts";
import {
  EMPTY_STREAM_ID,
  type SharedStore,
  type StreamEntry,
  compareStreamIds,
  subscribeStream,
} from "../../infra/store.ts";

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
 * Follows `stream` from `lastEventId` (exclusive) until `signal` or the process's lifecycle aborts. Yields batches
 * with the id of their last entry; `reset` (with the log's newest id, from which it goes on) when the gap cannot be
 * filled: the position is no longer in the log, or it is too far behind.
 */
export async function* followLog<T extends LogItem>(
  deps: Pick<AppDeps, "store" | "lifecycle">,
  hub: LogHub<T>,
  stream: string,
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
  { from, pageSize, maxBehind = Infinity, maxBuffered = Infinity }: FollowOptions,
): AsyncGenerator<{ id: string; batch: Batch<T> }> {
  const stop = AbortSignal.any([deps.lifecycle.signal, ...(signal ? [signal] : [])]);
  let buffer: T[] = [];
  let overflow = false;
  let wake: (() => void) | null = null;
  const off = await hub.listen(stream, (item) => {
    if (buffer.length >= maxBuffered) overflow = true;
    else buffer.push(item);
    wake?.();
  });
  const onAbort = () => wake?.();
  stop.addEventListener("abort", onAbort);
  try {
    const head = await deps.store.lastId(stream);
    let last = lastEventId || (from === "head" ? head : EMPTY_STREAM_ID);
    if (lastEventId || from === "start") {
      let read = 0;
      for (;;) {
        const { entries, complete } = await deps.store.readAfter(stream, last, pageSize);
        read += entries.length;
        if (!complete && (entries.length === 0 || read >= maxBehind)) {
          last = head;
          yield { id: head, batch: { kind: "reset" } };
          break;
        }
        if (entries.length > 0) {
          const items = entries.map(hub.parse);
          last = items.at(-1)!.id;
          yield { id: last, batch: { kind: "entries", entries: items } };
        }
        if (complete) break;
      }
    }
    while (!stop.aborted) {
      if (overflow) {
        overflow = false;
        buffer = [];
        last = await deps.store.lastId(stream);
        yield { id: last, batch: { kind: "reset" } };
        continue;
      }
      if (buffer.length > 0) {
        const fresh = buffer.filter((item) => compareStreamIds(item.id, last) > 0);
        buffer = [];
        if (fresh.length > 0) {
          last = fresh.at(-1)!.id;
          yield { id: last, batch: { kind: "entries", entries: fresh } };
        }
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    stop.removeEventListener("abort", onAbort);
    off();
  }
}
