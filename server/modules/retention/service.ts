import { sql } from "drizzle-orm";
import type { AppDeps } from "../../deps.ts";
import { type Db, rowsOf } from "../../infra/db.ts";

type Deps = Pick<AppDeps, "database" | "config" | "log">;

/** Rows per delete statement: each is its own short transaction, so no lock is held for long. */
export const RETENTION_BATCH = 5_000;

export interface RetentionResult {
  orgs: number;
  runs: number;
  spans: number;
  conversations: number;
  statements: number;
}

/** Organisations whose runs expire, with the cut-off of each (retention 0 keeps everything). */
async function expiringOrgs(deps: Deps, now: Date, orgIds?: string[]): Promise<{ orgId: string; cutoff: Date }[]> {
  type Row = { id: string; days: number };
  const scope = orgIds ? sql`id = any(${sql.param(orgIds)}::uuid[])` : sql`true`;
  const rows = rowsOf<Row>(
    await deps.database.db.execute<Row>(sql`
      select id, coalesce(retention_days, ${deps.config.usage.retentionDays})::int as days from orgs
      where coalesce(retention_days, ${deps.config.usage.retentionDays}) > 0 and ${scope}`),
  );
  return rows.map((r) => ({ orgId: r.id, cutoff: new Date(now.getTime() - Number(r.days) * 86_400_000) }));
}

/**
 * Deletes runs that started before each organisation's retention, with their spans, replay records and the
 * conversations left without runs. Spans go first and in batches, then the runs they belonged to; a run that
 * still has spans (one arrived meanwhile) waits for the next pass.
 */
export async function applyRetention(
  deps: Deps,
  {
    now = new Date(),
    batchSize = RETENTION_BATCH,
    signal,
    orgIds,
  }: { now?: Date; batchSize?: number; signal?: AbortSignal; orgIds?: string[] } = {},
): Promise<RetentionResult> {
  const db = deps.database.db;
  const total: RetentionResult = { orgs: 0, runs: 0, spans: 0, conversations: 0, statements: 0 };
  for (const { orgId, cutoff } of await expiringOrgs(deps, now, orgIds)) {
    const before = sql`${cutoff.toISOString()}::timestamptz`;
    let touched = false;
    for (;;) {
      if (signal?.aborted) return total;
      const deleted = rowsOf(
        await db.execute(sql`
          delete from spans where org_id = ${orgId}::uuid and id in (
            select s.id from runs r join spans s on s.org_id = r.org_id and s.run_id = r.id
            where r.org_id = ${orgId}::uuid and r.started_at < ${before} limit ${batchSize})
          returning id`),
      ).length;
      total.statements++;
      total.spans += deleted;
      touched ||= deleted > 0;
      if (deleted < batchSize) break;
    }
    const conversations = new Set<string>();
    for (;;) {
      if (signal?.aborted) return total;
      const deleted = rowsOf<{ id: string; conversation_id: string | null }>(
        await db.execute<{ id: string; conversation_id: string | null }>(sql`
          delete from runs where org_id = ${orgId}::uuid and id in (
            select r.id from runs r where r.org_id = ${orgId}::uuid and r.started_at < ${before}
              and not exists (select 1 from spans s where s.org_id = r.org_id and s.run_id = r.id)
            limit ${batchSize})
          returning id, conversation_id`),
      );
      total.statements++;
      total.runs += deleted.length;
      touched ||= deleted.length > 0;
      for (const r of deleted) if (r.conversation_id) conversations.add(r.conversation_id);
      if (deleted.length > 0) {
        await db.execute(sql`
          delete from replays where org_id = ${orgId}::uuid and id = any(${sql.param(deleted.map((r) => r.id))}::text[])`);
      }
      if (deleted.length < batchSize) break;
    }
    if (conversations.size > 0) total.conversations += await tidyConversations(db, orgId, [...conversations]);
    if (touched) total.orgs++;
  }
  if (total.runs + total.spans > 0) deps.log.info("Retention applied", { ...total });
  return total;
}

/** Conversations that lost runs: removed when none is left, otherwise their counts and time span recomputed. */
export async function tidyConversations(db: Db, orgId: string, ids: string[]): Promise<number> {
  const removed = rowsOf(
    await db.execute(sql`
      delete from conversations c where c.org_id = ${orgId}::uuid and c.id = any(${sql.param(ids)}::text[])
        and not exists (select 1 from runs r where r.org_id = c.org_id and r.conversation_id = c.id)
      returning id`),
  ).length;
  await db.execute(sql`
    update conversations c set run_count = t.runs, error_count = t.errors, first_at = t.first_at, last_at = t.last_at
    from (
      select conversation_id, count(*) as runs, count(*) filter (where status = 'error') as errors,
        min(started_at) as first_at, max(coalesce(ended_at, started_at)) as last_at
      from runs where org_id = ${orgId}::uuid and conversation_id = any(${sql.param(ids)}::text[])
      group by conversation_id
    ) t
    where c.org_id = ${orgId}::uuid and c.id = t.conversation_id`);
  return removed;
}
