import type { RunSummary, RunsEvent } from "../../../shared/schemas/runs.ts";
import type { AppDeps } from "../../deps.ts";
import { type SharedStore, type StreamEntry, compareStreamIds, subscribeStream } from "../../infra/store/index.ts";

/**
 * Live events of an organisation's runs. Ingestion appends one entry per accepted batch to the organisation's log
 * (a capped Redis stream, published in the same step), carrying the changed runs' summaries and the ids of the
 * spans that changed. Every subscriber follows the log: on connect it replays what came after the client's last
 * event id, then receives entries as they are appended — on whichever instance they were written.
 */

export const runsStream = (orgId: string) => `org:${orgId}:runs`;
/** About a day of a busy organisation; a client further behind than this reloads instead of resuming. */
const STREAM = { maxLen: 10_000, ttlMs: 24 * 60 * 60 * 1000 };
export const RESUME_LIMIT = 2_000;
/** A subscriber this far behind (a stalled browser) is told to reload rather than buffered without bound. */
const MAX_BUFFERED = 5_000;

export interface RunsLogEntry {
  runs: RunSummary[];
  /** Ids of the spans that changed, by run. */
  spans: Record<string, string[]>;
}
export interface LiveEntry extends RunsLogEntry {
  id: string;
  /** The entry as one server-sent event of `runs.live`, serialised once however many browsers receive it. */
  readonly frame: string;
}

/** tRPC's SSE wire format, so `httpSubscriptionLink` in the browser reads these streams unchanged. */
export const sseFrame = (id: string, data: unknown) => `data: ${JSON.stringify(data)}\nid: ${id}\n\n`;

export async function publishRunChanges(
  deps: Pick<AppDeps, "store">,
  orgId: string,
  entry: RunsLogEntry,
): Promise<string> {
  return deps.store.append(runsStream(orgId), JSON.stringify(entry), STREAM);
}

function parseEntry({ id, message }: StreamEntry): LiveEntry {
  const entry = JSON.parse(message) as RunsLogEntry;
  let frame: string | undefined;
  return {
    id,
    ...entry,
    get frame() {
      return (frame ??= sseFrame(id, { type: "runs", runs: entry.runs } satisfies RunsEvent));
    },
  };
}

/** One subscription per log and process, parsed once, shared by every browser connected to this instance. */
class LiveHub {
  private readonly logs = new Map<string, { listeners: Set<(e: LiveEntry) => void>; off: Promise<() => void> }>();

  constructor(private readonly store: SharedStore) {}

  async listen(stream: string, listener: (entry: LiveEntry) => void): Promise<() => void> {
    let log = this.logs.get(stream);
    if (!log) {
      const listeners = new Set<(e: LiveEntry) => void>();
      const off = subscribeStream(this.store, stream, (raw) => {
        const entry = parseEntry(raw);
        for (const l of listeners) l(entry);
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

const hubs = new WeakMap<SharedStore, LiveHub>();
export function hubOf(store: SharedStore): LiveHub {
  let hub = hubs.get(store);
  if (!hub) hubs.set(store, (hub = new LiveHub(store)));
  return hub;
}

export type Batch = { kind: "entries"; entries: LiveEntry[] } | { kind: "reset" };

/**
 * Follows an organisation's log from `lastEventId` (exclusive; none = from now) without gaps or duplicates:
 * subscribes first, then replays the log after the last id, then hands over to the live entries, skipping any it
 * has already delivered. Yields batches with the id of their last entry; `reset` when the gap cannot be filled.
 */
export async function* followRuns(
  deps: Pick<AppDeps, "store" | "lifecycle">,
  orgId: string,
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<{ id: string; batch: Batch }> {
  const stream = runsStream(orgId);
  const stop = AbortSignal.any([deps.lifecycle.signal, ...(signal ? [signal] : [])]);
  let buffer: LiveEntry[] = [];
  let overflow = false;
  let wake: (() => void) | null = null;
  const off = await hubOf(deps.store).listen(stream, (entry) => {
    if (buffer.length >= MAX_BUFFERED) overflow = true;
    else buffer.push(entry);
    wake?.();
  });
  const onAbort = () => wake?.();
  stop.addEventListener("abort", onAbort);
  try {
    const head = await deps.store.lastId(stream);
    let last = lastEventId ?? head;
    if (lastEventId) {
      const { entries, complete } = await deps.store.readAfter(stream, lastEventId, RESUME_LIMIT);
      if (!complete) {
        last = head;
        yield { id: head, batch: { kind: "reset" } };
      } else if (entries.length > 0) {
        const replayed = entries.map(parseEntry);
        last = replayed.at(-1)!.id;
        yield { id: last, batch: { kind: "entries", entries: replayed } };
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
      const fresh = buffer.filter((e) => compareStreamIds(e.id, last) > 0);
      buffer = [];
      if (fresh.length > 0) {
        last = fresh.at(-1)!.id;
        yield { id: last, batch: { kind: "entries", entries: fresh } };
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

/** The newest copy of each run in a batch (rows only ever move forward in `seq`). */
export function latestRuns(entries: LiveEntry[], only?: string): RunSummary[] {
  const byId = new Map<string, RunSummary>();
  for (const entry of entries)
    for (const run of entry.runs) {
      if (only !== undefined && run.id !== only) continue;
      const seen = byId.get(run.id);
      if (!seen || seen.seq < run.seq) byId.set(run.id, run);
    }
  return [...byId.values()];
}
