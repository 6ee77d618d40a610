import type { ReplayEvent } from "../../../shared/schemas/replay.ts";
import type { AppDeps } from "../../deps.ts";
import { EMPTY_STREAM_ID, compareStreamIds, subscribeStream } from "../../infra/store/index.ts";

/**
 * Each replay's events (steps as they start and end, LLM tokens, the end) go to a log of their own on the shared
 * store, so the browser following it may be connected to any instance and resume from its last event id.
 */
export const replayStream = (orgId: string, replayId: string) => `org:${orgId}:replay:${replayId}`;
const STREAM = { maxLen: 50_000, ttlMs: 24 * 60 * 60 * 1000 };
const READ_LIMIT = 5_000;

export type ReplayLogEntry = { id: string; event: ReplayEvent };

/** Appends in call order: a replay's events must reach the log in the order they happened. */
export function replayWriter(deps: Pick<AppDeps, "store" | "log">, orgId: string, replayId: string) {
  const stream = replayStream(orgId, replayId);
  let chain: Promise<unknown> = Promise.resolve();
  const write = (event: ReplayEvent) => {
    chain = chain
      .then(() => deps.store.append(stream, JSON.stringify(event), STREAM))
      .catch((error: unknown) => deps.log.warn("Replay event not written", { replayId, error }));
    return chain;
  };
  return { write, flushed: () => chain };
}

/**
 * The replay's events after `lastEventId` (none = from its beginning) and then as they come, without gaps or
 * repeats; ends after the `finished` event. Subscribes before reading the backlog so nothing falls between.
 */
export async function* followReplay(
  deps: Pick<AppDeps, "store" | "lifecycle">,
  orgId: string,
  replayId: string,
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<ReplayLogEntry> {
  const stream = replayStream(orgId, replayId);
  const stop = AbortSignal.any([deps.lifecycle.signal, ...(signal ? [signal] : [])]);
  let buffer: ReplayLogEntry[] = [];
  let wake: (() => void) | null = null;
  const off = await subscribeStream(deps.store, stream, (entry) => {
    buffer.push({ id: entry.id, event: JSON.parse(entry.message) as ReplayEvent });
    wake?.();
  });
  const onAbort = () => wake?.();
  stop.addEventListener("abort", onAbort);
  try {
    let last = lastEventId ?? EMPTY_STREAM_ID;
    for (;;) {
      const { entries, complete } = await deps.store.readAfter(stream, last, READ_LIMIT);
      if (!complete && entries.length === 0 && last !== EMPTY_STREAM_ID) {
        yield { id: last, event: { type: "reset" } };
        return;
      }
      for (const entry of entries) {
        const event = JSON.parse(entry.message) as ReplayEvent;
        last = entry.id;
        yield { id: entry.id, event };
        if (event.type === "finished") return;
      }
      if (complete) break;
    }
    while (!stop.aborted) {
      const fresh = buffer.filter((e) => compareStreamIds(e.id, last) > 0);
      buffer = [];
      for (const entry of fresh) {
        last = entry.id;
        yield entry;
        if (entry.event.type === "finished") return;
      }
      if (fresh.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    }
  } finally {
    stop.removeEventListener("abort", onAbort);
    off();
  }
}
