import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../../infra/db.ts";
import { enqueueJob } from "../../infra/durable-queue.ts";
import { dayOf, periodOf } from "./period.ts";

export type Metric = "spans" | "replays";
export const USAGE_NOTIFY_JOB = "usage.notify";
export const THRESHOLDS = [90, 100] as const;

export interface UsageCounts {
  runs: number;
  spans: number;
  replays: number;
}

const toCounts = (r: { runs: number; spans: number; replays: number } | undefined): UsageCounts => ({
  runs: Number(r?.runs ?? 0),
  spans: Number(r?.spans ?? 0),
  replays: Number(r?.replays ?? 0),
});

/**
 * This month's counts, with the row locked until the transaction ends: concurrent batches of one organisation
 * (on any instance) take turns here, so a limit is never overshot by two of them reading the same count.
 */
export async function lockUsage(tx: Db, orgId: string, period = periodOf()): Promise<UsageCounts> {
  const result = await tx.execute<{ runs: number; spans: number; replays: number }>(sql`
    insert into usage (org_id, period) values (${orgId}::uuid, ${period})
    on conflict (org_id, period) do update set spans = usage.spans
    returning runs, spans, replays`);
  return toCounts(rowsOf<{ runs: number; spans: number; replays: number }>(result)[0]);
}

/** Adds to the month and to today, in the caller's transaction; returns the month's counts after it. */
export async function addUsage(
  tx: Db,
  orgId: string,
  add: Partial<UsageCounts>,
  now = new Date(),
): Promise<UsageCounts> {
  const runs = add.runs ?? 0;
  const spans = add.spans ?? 0;
  const replays = add.replays ?? 0;
  // The month and the day in one round trip: this runs inside every ingest transaction.
  const result = await tx.execute<{ runs: number; spans: number; replays: number }>(sql`
    with day as (
      insert into usage_daily (org_id, day, runs, spans, replays)
      values (${orgId}::uuid, ${dayOf(now)}::date, ${runs}, ${spans}, ${replays})
      on conflict (org_id, day) do update set runs = usage_daily.runs + excluded.runs,
        spans = usage_daily.spans + excluded.spans, replays = usage_daily.replays + excluded.replays
    )
    insert into usage (org_id, period, runs, spans, replays)
    values (${orgId}::uuid, ${periodOf(now)}, ${runs}, ${spans}, ${replays})
    on conflict (org_id, period) do update set runs = usage.runs + excluded.runs,
      spans = usage.spans + excluded.spans, replays = usage.replays + excluded.replays
    returning runs, spans, replays`);
  return toCounts(rowsOf<{ runs: number; spans: number; replays: number }>(result)[0]);
}

/**
 * When `used` has reached 90 or 100 % of `limit`, records that once per organisation, period, metric and
 * threshold (a unique row, whichever instance gets there first) and queues the warning in the same transaction.
 */
export async function noteThresholds(
  tx: Db,
  input: { orgId: string; period: string; metric: Metric; before: number; used: number; limit: number },
): Promise<void> {
  const { orgId, period, metric, before, used, limit } = input;
  if (limit <= 0) return;
  for (const threshold of THRESHOLDS) {
    const mark = Math.ceil((limit * threshold) / 100);
    if (used < mark || before >= mark) continue;
    const inserted = await tx.execute(sql`
      insert into usage_notices (org_id, period, metric, threshold)
      values (${orgId}::uuid, ${period}, ${metric}, ${threshold})
      on conflict do nothing returning threshold`);
    if (rowsOf(inserted).length === 0) continue;
    await enqueueJob(
      tx,
      USAGE_NOTIFY_JOB,
      { orgId, period, metric, threshold, used, limit },
      { dedupeKey: `${orgId}:${period}:${metric}:${threshold}` },
    );
  }
}
