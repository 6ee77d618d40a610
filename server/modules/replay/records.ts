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

/**
 * Records replays (written once: a replay's record never changes). A replay of a replay joins the tree of the run it
 * all started from: the root is the parent's root, or the parent itself. Returns how many were new.
 */
export async function recordReplays(db: Db, orgId: string, records: ReplayRecord[]): Promise<number> {
  let created = 0;
  for (const r of records) {
    const result = await db.execute(sql`
      insert into replays (org_id, id, parent_run_id, root_run_id, mode, fork_step, overrides, policies, label,
        executor, created_by, api_key_id)
      select ${orgId}::uuid, ${r.id}, ${r.parentRunId},
        coalesce((select root_run_id from replays where org_id = ${orgId}::uuid and id = ${r.parentRunId}), ${r.parentRunId}),
        ${r.mode}, ${r.forkStep}, ${JSON.stringify(r.overrides)}::jsonb, ${JSON.stringify(r.policies)}::jsonb,
        ${r.label}, ${r.executor}, ${r.createdBy ?? null}::uuid, ${r.apiKeyId ?? null}::uuid
      on conflict (org_id, id) do nothing returning id`);
    created += rowsOf(result).length;
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
