import { sql } from "drizzle-orm";
import type { IngestSpan } from "@shared/schemas/ingest.ts";
import type { AppDeps } from "../../deps.ts";
import { rowsOf } from "../../infra/db.ts";
import { ingest } from "../ingest/ingest.ts";
import { replayWriter } from "./stream.ts";

/** A running replay refreshes this key; without it for this long, its instance is gone. */
export const REPLAY_ALIVE_MS = 30_000;
export const replayAliveKey = (orgId: string, replayId: string) => `replay-alive:${orgId}:${replayId}`;
export const INTERRUPTED =
  "Interrupted: the server running this replay stopped before it finished; start the replay again";

type Deps = Pick<AppDeps, "database" | "store" | "log" | "metrics" | "config">;

/**
 * Ends the server replays still marked running whose instance no longer says it runs them (it died or was killed),
 * so their runs do not stay "running" and their followers get a `finished` event. Safe on several instances: a
 * replay that is still alive anywhere keeps its key, and ending one twice changes nothing.
 */
export async function finishInterruptedReplays(deps: Deps, now = Date.now()): Promise<number> {
  const candidates = rowsOf<{ org_id: string; id: string; name: string; started_ms: number }>(
    await deps.database.db.execute(sql`
      select r.org_id, r.id, runs.name, (extract(epoch from runs.started_at) * 1000)::float8 as started_ms
      from replays r join runs on runs.org_id = r.org_id and runs.id = r.id
      where r.executor = 'server' and runs.status = 'running'
        and r.created_at < ${new Date(now - REPLAY_ALIVE_MS).toISOString()}::timestamptz
      order by r.created_at limit 100`),
  );
  let finished = 0;
  for (const replay of candidates) {
    if (await deps.store.get(replayAliveKey(replay.org_id, replay.id))) continue;
    // Its running spans and the run itself end as failed, through ingest like every write of spans: totals,
    // live views and the run's seq follow.
    type Open = { id: string; name: string; kind: IngestSpan["kind"]; started_at: Date | string; attributes: unknown };
    const open = rowsOf<Open>(
      await deps.database.db.execute(sql`
        select id, name, kind, started_at, attributes from spans
        where org_id = ${replay.org_id}::uuid and run_id = ${replay.id} and status = 'running'`),
    );
    const ended = new Date(now).toISOString();
    await ingest(
      deps,
      replay.org_id,
      [
        ...open.map((s) => ({
          type: "span",
          id: s.id,
          runId: replay.id,
          name: s.name,
          kind: s.kind,
          startedAt: new Date(s.started_at).toISOString(),
          attributes: s.attributes ?? {},
          status: "error",
          endedAt: ended,
          error: INTERRUPTED,
        })),
        {
          type: "run",
          id: replay.id,
          name: replay.name,
          startedAt: new Date(Math.round(Number(replay.started_ms))).toISOString(),
          status: "error",
          endedAt: ended,
          error: INTERRUPTED,
        },
      ],
      { spanLimit: false },
    );
    await replayWriter(deps, replay.org_id, replay.id).write({ type: "finished", status: "error", error: INTERRUPTED });
    deps.metrics.replays.inc({ outcome: "error" });
    deps.log.warn("Replay interrupted by a stopped instance, marked as failed", {
      orgId: replay.org_id,
      replayId: replay.id,
    });
    finished++;
  }
  return finished;
}
