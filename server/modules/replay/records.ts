import { sql } from "drizzle-orm";
import type { IngestRun } from "@shared/schemas/ingest.ts";
import { type Db, rowsOf } from "../../infra/db.ts";

/** How a replay was asked for, kept beside its run: the row that puts it in its parent's fork tree. */
export interface ReplayRecord {
  id: string;
  parentRunId: string;
  mode: "workflow" | "span";
  forkStep: string;
  overrides: Record<string, unknown>;
  policies: Record<string, "live" | "recorded">;
  label: string | null;
  executor: "server" | "sdk";
  createdBy?: string | null;
  apiKeyId?: string | null;
}

const NUMBER_ATTEMPTS = 20;

/**
 * Records replays (written once: a replay's record never changes, except its label). A replay of a replay joins the
 * tree of the run it all started from: the root is the parent's root, or the parent itself. Each gets the next
 * number of its tree; should a concurrent replay of the same tree take that number first, the unique index refuses
 * the row (`do nothing`) and the next free number is tried. Returns how many were new.
 */
export async function recordReplays(db: Db, orgId: string, records: ReplayRecord[]): Promise<number> {
  let created = 0;
  for (const r of records) {
    for (let attempt = 1; ; attempt++) {
      const result = await db.execute(sql`
        with root as (
          select coalesce((select root_run_id from replays where org_id = ${orgId}::uuid and id = ${r.parentRunId}),
            ${r.parentRunId}) as id
        )
        insert into replays (org_id, id, parent_run_id, root_run_id, mode, fork_step, overrides, policies, label,
          number, executor, created_by, api_key_id)
        select ${orgId}::uuid, ${r.id}, ${r.parentRunId}, root.id,
          ${r.mode}, ${r.forkStep}, ${JSON.stringify(r.overrides)}::jsonb, ${JSON.stringify(r.policies)}::jsonb,
          ${r.label},
          coalesce((select max(number) from replays where org_id = ${orgId}::uuid and root_run_id = root.id), 0) + 1,
          ${r.executor}, ${r.createdBy ?? null}::uuid, ${r.apiKeyId ?? null}::uuid
        from root
        on conflict do nothing
        returning id`);
      if (rowsOf(result).length > 0) {
        created++;
        break;
      }
      const [existing] = rowsOf(
        await db.execute(sql`select 1 from replays where org_id = ${orgId}::uuid and id = ${r.id}`),
      );
      if (existing) break;
      if (attempt >= NUMBER_ATTEMPTS) throw new Error(`Replay ${r.id}: no free number after ${attempt} attempts`);
    }
  }
  return created;
}

/** Replays run by the SDK (`runtime.replay()`) arrive as runs carrying `replayOf`: they join the fork tree too. */
export function sdkReplayRecords(runs: IngestRun[]): ReplayRecord[] {
  return runs.flatMap((r) =>
    r.replayOf
      ? [
          {
            id: r.id,
            parentRunId: r.replayOf,
            mode: "workflow" as const,
            forkStep: r.replayFromStep ?? "",
            overrides: r.replay?.overrides ?? {},
            policies: r.replay?.policies ?? {},
            label: r.replay?.label ?? null,
            executor: "sdk" as const,
          },
        ]
      : [],
  );
}
