import { sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { type Job, claimJobs, completeJob, extendLease, failJob } from "./durable-queue.ts";
import type { Logger } from "./logger.ts";

export type JobHandler = (job: Job, context: { signal: AbortSignal }) => Promise<void>;

export interface JobWorkerOptions {
  workerId: string;
  handlers: Record<string, JobHandler>;
  leaseMs: number;
  /** Jobs claimed and run at once. */
  concurrency?: number;
  /** First retry delay; doubles with each attempt. */
  backoffBaseMs?: number;
}

/**
 * Runs jobs of the kinds it has handlers for, from the shared queue. Safe beside any number of other workers:
 * each job is claimed by one of them, and its lease is renewed while it runs, so only a dead worker's job (its
 * lease ran out) is ever taken over.
 */
export class JobWorker {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly options: JobWorkerOptions,
  ) {}

  get id(): string {
    return this.options.workerId;
  }

  /** Claims and runs due jobs until none is left; resolves when all of them have finished. */
  async drain(): Promise<number> {
    let done = 0;
    const limit = this.options.concurrency ?? 4;
    while (!this.stopped) {
      const claimed = await claimJobs(this.db, {
        workerId: this.options.workerId,
        kinds: Object.keys(this.options.handlers),
        limit,
        leaseMs: this.options.leaseMs,
      });
      if (claimed.length === 0) break;
      await Promise.all(claimed.map((job) => this.track(this.execute(job))));
      done += claimed.length;
    }
    return done;
  }

  private track(promise: Promise<void>): Promise<void> {
    this.inFlight.add(promise);
    return promise.finally(() => this.inFlight.delete(promise));
  }

  private async execute(job: Job): Promise<void> {
    const { workerId, leaseMs } = this.options;
    if (job.attempts > job.maxAttempts) {
      // Its earlier attempts died with their workers: given up rather than retried forever.
      await failJob(this.db, job, workerId, "Its worker stopped during every attempt");
      return;
    }
    const renew = setInterval(
      () => void extendLease(this.db, job.id, workerId, leaseMs).catch(() => {}),
      Math.max(250, leaseMs / 3),
    );
    try {
      await this.options.handlers[job.kind]!(job, { signal: this.abort.signal });
      await completeJob(this.db, job.id, workerId);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const outcome = await failJob(this.db, job, workerId, message, this.options.backoffBaseMs).catch(() => null);
      const level = outcome === "failed" ? "error" : "warn";
      this.log[level](outcome === "failed" ? "Job failed for good" : "Job failed; will retry", {
        job: job.id,
        kind: job.kind,
        attempt: job.attempts,
        error: message,
      });
    } finally {
      clearInterval(renew);
    }
  }

  /** Stops claiming; jobs still running after `graceMs` go back to the queue for another worker. */
  async stop(graceMs = 3_000): Promise<void> {
    this.stopped = true;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    clearTimeout(timer);
    if (this.inFlight.size === 0) return;
    this.abort.abort();
    await this.db
      .execute(
        sql`update jobs set status = 'pending', locked_until = null, locked_by = null, updated_at = now()
          where status = 'running' and locked_by = ${this.options.workerId}`,
      )
      .catch(() => {});
  }
}
