import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "./db.ts";

/*
 * The durable job queue: rows of the `jobs` table, shared by every instance. Jobs are enqueued (in the caller's
 * transaction if it has one), claimed under leases with `skip locked`, retried with back-off, and pruned.
 */

/** A row of `jobs` as a worker sees it. */
export interface Job {
  id: number;
  kind: string;
  dedupeKey: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
}

export interface EnqueueOptions {
  /** While a job of this kind and key is pending or running, enqueueing it again does nothing. */
  dedupeKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

type JobRow = {
  id: string | number;
  kind: string;
  dedupe_key: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
};

const toJob = (r: JobRow): Job => ({
  id: Number(r.id),
  kind: r.kind,
  dedupeKey: r.dedupe_key,
  payload: r.payload ?? {},
  attempts: Number(r.attempts),
  maxAttempts: Number(r.max_attempts),
});

/**
 * Adds a job; `db` may be a transaction, so work and its follow-up commit together. Returns the new job's id, or
 * null when a job with the same kind and dedupe key was pending or running already.
 */
export async function enqueueJob(
  db: Db,
  kind: string,
  payload: Record<string, unknown> = {},
  options: EnqueueOptions = {},
): Promise<number | null> {
  const result = await db.execute<{ id: string }>(sql`
    insert into jobs (kind, dedupe_key, payload, run_at, max_attempts)
    values (${kind}, ${options.dedupeKey ?? null}, ${JSON.stringify(payload)}::jsonb,
      ${(options.runAt ?? new Date()).toISOString()}::timestamptz, ${options.maxAttempts ?? 5})
    on conflict (kind, dedupe_key) where status in ('pending', 'running') and dedupe_key is not null do nothing
    returning id`);
  const [row] = rowsOf<{ id: string }>(result);
  return row ? Number(row.id) : null;
}

/**
 * For periodic work: enqueues once per time slot however many instances ask. A slot's job is kept after it
 * completes (until jobs are pruned), so an instance asking late does not run the slot a second time.
 */
export async function enqueueForSlot(
  db: Db,
  kind: string,
  slotMs: number,
  {
    now = Date.now(),
    payload = {},
    delayMs = 0,
  }: { now?: number; payload?: Record<string, unknown>; delayMs?: number } = {},
): Promise<number | null> {
  const dedupeKey = `slot:${slotMs}:${Math.floor(now / slotMs)}`;
  const runAt = new Date(now + delayMs).toISOString();
  const result = await db.execute<{ id: string }>(sql`
    insert into jobs (kind, dedupe_key, payload, run_at, max_attempts)
    select ${kind}, ${dedupeKey}, ${JSON.stringify(payload)}::jsonb, ${runAt}::timestamptz, 3
    where not exists (select 1 from jobs where kind = ${kind} and dedupe_key = ${dedupeKey})
    on conflict (kind, dedupe_key) where status in ('pending', 'running') and dedupe_key is not null do nothing
    returning id`);
  const [row] = rowsOf<{ id: string }>(result);
  return row ? Number(row.id) : null;
}

/**
 * Claims up to `limit` due jobs of the given kinds for `workerId`: pending ones whose time has come, and running
 * ones whose lease ran out (their worker died). `skip locked` lets competing workers take different rows.
 */
export async function claimJobs(
  db: Db,
  { workerId, kinds, limit, leaseMs }: { workerId: string; kinds: string[]; limit: number; leaseMs: number },
): Promise<Job[]> {
  if (kinds.length === 0) return [];
  const result = await db.execute<JobRow>(sql`
    update jobs j set status = 'running', attempts = j.attempts + 1, locked_by = ${workerId},
      locked_until = now() + ${`${leaseMs} milliseconds`}::interval, updated_at = now()
    from (
      select id from jobs
      where kind = any(${sql.param(kinds)}::text[])
        and ((status = 'pending' and run_at <= now()) or (status = 'running' and locked_until < now()))
      order by run_at, id limit ${limit}
      for update skip locked
    ) picked
    where j.id = picked.id
    returning j.id, j.kind, j.dedupe_key, j.payload, j.attempts, j.max_attempts`);
  return rowsOf<JobRow>(result).map(toJob);
}

/** Keeps a long job's claim alive; false when the lease was lost (another worker took the job over). */
export async function extendLease(db: Db, jobId: number, workerId: string, leaseMs: number): Promise<boolean> {
  const result = await db.execute<{ id: string }>(sql`
    update jobs set locked_until = now() + ${`${leaseMs} milliseconds`}::interval, updated_at = now()
    where id = ${jobId} and status = 'running' and locked_by = ${workerId}
    returning id`);
  return rowsOf(result).length > 0;
}

export async function completeJob(db: Db, jobId: number, workerId: string): Promise<void> {
  await db.execute(sql`
    update jobs set status = 'completed', completed_at = now(), locked_until = null, last_error = null,
      updated_at = now()
    where id = ${jobId} and status = 'running' and locked_by = ${workerId}`);
}

/** Exponential back-off: 2 s, 4 s, 8 s … capped at 10 minutes. */
export function backoffMs(attempts: number, baseMs = 2_000): number {
  return Math.min(10 * 60_000, baseMs * 2 ** Math.max(0, attempts - 1));
}

/** A failed attempt: back to pending after the back-off, or failed for good once its attempts are spent. */
export async function failJob(
  db: Db,
  job: Pick<Job, "id" | "attempts" | "maxAttempts">,
  workerId: string,
  error: string,
  baseBackoffMs?: number,
): Promise<"retry" | "failed"> {
  const final = job.attempts >= job.maxAttempts;
  const retryAt = new Date(Date.now() + backoffMs(job.attempts, baseBackoffMs)).toISOString();
  await db.execute(sql`
    update jobs set last_error = ${error.slice(0, 2000)}, locked_until = null, updated_at = now(),
      ${final ? sql`status = 'failed', failed_at = now()` : sql`status = 'pending', run_at = ${retryAt}::timestamptz`}
    where id = ${job.id} and status = 'running' and locked_by = ${workerId}`);
  return final ? "failed" : "retry";
}

export interface JobKindStats {
  kind: string;
  /** Pending jobs, due or not. */
  queued: number;
  running: number;
  failed: number;
  /** Jobs waiting for a retry after a failed attempt. */
  retrying: number;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastError: string | null;
}

/** Per kind, across every instance: what `/api/sync/health` shows. */
export async function jobStats(db: Db): Promise<JobKindStats[]> {
  type Row = {
    kind: string;
    queued: string;
    running: string;
    failed: string;
    retrying: string;
    last_success: string | null;
    last_failure: string | null;
    last_error: string | null;
  };
  const result = await db.execute<Row>(sql`
    select kind,
      count(*) filter (where status = 'pending') as queued,
      count(*) filter (where status = 'running') as running,
      count(*) filter (where status = 'failed') as failed,
      count(*) filter (where status = 'pending' and attempts > 0) as retrying,
      max(completed_at) as last_success,
      max(coalesce(failed_at, case when attempts > 0 and status = 'pending' then updated_at end)) as last_failure,
      (array_agg(last_error order by updated_at desc) filter (where last_error is not null))[1] as last_error
    from jobs group by kind order by kind`);
  const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());
  return rowsOf<Row>(result).map((r) => ({
    kind: r.kind,
    queued: Number(r.queued),
    running: Number(r.running),
    failed: Number(r.failed),
    retrying: Number(r.retrying),
    lastSuccessAt: iso(r.last_success),
    lastFailureAt: iso(r.last_failure),
    lastError: r.last_error,
  }));
}

/** Finished jobs are kept a while (health shows their times, slots stay deduplicated); then pruned in batches. */
export async function pruneJobs(db: Db, { batchSize = 5_000 } = {}): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.execute<{ id: string }>(sql`
      delete from jobs where id in (
        select id from jobs
        where (status = 'completed' and completed_at < now() - interval '1 day')
           or (status = 'failed' and failed_at < now() - interval '14 days')
        limit ${batchSize})
      returning id`);
    const n = rowsOf(result).length;
    total += n;
    if (n < batchSize) return total;
  }
}
