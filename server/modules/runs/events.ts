import type { RunSummary, RunsEvent } from "@shared/schemas/runs.ts";
import type { AppDeps } from "../../deps.ts";
import type { StreamEntry } from "../../infra/store/index.ts";
import { type Batch, type LogFollower, followLog, hubsOf } from "../live/follow.ts";
import { sseFrame } from "../live/sse.ts";

/**
 * Live events of an organisation's runs. Ingestion appends one entry per accepted batch to the organisation's log
 * (a capped Redis stream, published in the same step), carrying the changed runs' summaries and the ids of the
 * spans that changed. Every subscriber follows the log (see live/follow.ts): on connect it replays what came after
 * the client's last event id, then receives entries as they are appended — on whichever instance they were written.
 */

export const runsStream = (orgId: string) => `org:${orgId}:runs`;
/** About a day of a busy organisation; a client further behind than this reloads instead of resuming. */
const STREAM = { maxLen: 10_000, ttlMs: 24 * 60 * 60 * 1000 };
const RESUME_LIMIT = 2_000;
/** A subscriber this far behind (a stalled browser) is told to reload rather than buffered without bound. */
const MAX_BUFFERED = 5_000;

export interface RunsLogEntry {
  runs: RunSummary[];
  /** Ids of the spans that changed, by run. */
  spans: Record<string, string[]>;
  /**
   * Runs deleted (sample data removed): entries before this one still carry them, so a live view that replays the
   * log through here reloads instead (a `reset`), and a page showing one of them learns it is gone.
   */
  removed?: string[];
}

/** One event of `runs.live`, with its server-sent event ready to write. */
export interface RunsLiveMessage {
  readonly id: string;
  readonly event: RunsEvent;
  /** Serialised once, however many browsers receive it. */
  readonly frame: string;
}

export interface LiveEntry extends RunsLogEntry, RunsLiveMessage {}

export async function publishRunChanges(
  deps: Pick<AppDeps, "store">,
  orgId: string,
  entry: RunsLogEntry,
): Promise<string> {
  return deps.store.append(runsStream(orgId), JSON.stringify(entry), STREAM);
}

function parseEntry({ id, message }: StreamEntry): LiveEntry {
  const entry = JSON.parse(message) as RunsLogEntry;
  let event: RunsEvent | undefined;
  let frame: string | undefined;
  return {
    id,
    ...entry,
    get event() {
      return (event ??= entry.removed?.length ? { type: "reset" } : { type: "runs", runs: entry.runs });
    },
    get frame() {
      return (frame ??= sseFrame(id, this.event));
    },
  };
}

const runsHub = hubsOf(parseEntry);

/** The organisation's log from `lastEventId` (exclusive; none = from now), without gaps or duplicates. */
export function followRuns(
  deps: Pick<AppDeps, "store" | "lifecycle">,
  orgId: string,
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
): LogFollower<LiveEntry> {
  return followLog(deps, runsHub(deps.store), runsStream(orgId), lastEventId, signal, {
    from: "head",
    pageSize: RESUME_LIMIT,
    maxBehind: RESUME_LIMIT,
    maxBuffered: MAX_BUFFERED,
  });
}

/**
 * What `runs.live` sends for a batch of the log: each entry as it is, or a reset. The tRPC procedure and the
 * hand-written event stream both send exactly these, so the two cannot tell different stories.
 */
export function runsLiveMessages(id: string, batch: Batch<LiveEntry>): readonly RunsLiveMessage[] {
  if (batch.kind === "entries") return batch.entries;
  const event: RunsEvent = { type: "reset" };
  return [{ id, event, frame: sseFrame(id, event) }];
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
