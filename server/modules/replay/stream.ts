import type { ReplayEvent } from "@shared/schemas/replay.ts";
import type { AppDeps } from "../../deps.ts";
import type { StreamEntry } from "../../infra/store/index.ts";
import { followLog, hubsOf } from "../live/follow.ts";

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

const replayHub = hubsOf(({ id, message }: StreamEntry): ReplayLogEntry => ({
  id,
  event: JSON.parse(message) as ReplayEvent,
}));

/**
 * The replay's events after `lastEventId` (none = from its beginning) and then as they come, without gaps or
 * repeats (see live/follow.ts); ends after the `finished` event, or after `reset` when the log no longer holds them.
 */
export async function* followReplay(
  deps: Pick<AppDeps, "store" | "lifecycle">,
  orgId: string,
  replayId: string,
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<ReplayLogEntry> {
  const stream = replayStream(orgId, replayId);
  const options = { from: "start", pageSize: READ_LIMIT } as const;
  for await (const { id, batch } of followLog(deps, replayHub(deps.store), stream, lastEventId, signal, options)) {
    if (batch.kind === "reset") {
      yield { id, event: { type: "reset" } };
      return;
    }
    for (const entry of batch.entries) {
      yield entry;
      if (entry.event.type === "finished") return;
    }
  }
}
