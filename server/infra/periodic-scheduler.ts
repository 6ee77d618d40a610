import { databaseUnavailableCode } from "./db-availability.ts";
import type { Logger } from "./logger.ts";

export interface PeriodicJobState {
  name: string;
  intervalMs: number;
  runs: number;
  failures: number;
  consecutiveFailures: number;
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  running: boolean;
}

/**
 * Periodic background work of this process, on timers (durable work goes through the queue in durable-queue.ts;
 * one of these timers drains it). Jobs must be safe to run on every instance at once (idempotent, or guarded in
 * the database); state here is this instance's view for `/api/sync/health`.
 */
export class PeriodicScheduler {
  private readonly jobs = new Map<
    string,
    { state: PeriodicJobState; timer: NodeJS.Timeout; fn: () => Promise<void>; current: Promise<void> | null }
  >();
  private stopped = false;

  constructor(private readonly log: Logger) {}

  every(name: string, intervalMs: number, fn: () => Promise<void>, { runNow = true } = {}): void {
    const state: PeriodicJobState = {
      name,
      intervalMs,
      runs: 0,
      failures: 0,
      consecutiveFailures: 0,
      lastRunAt: null,
      lastSuccessAt: null,
      lastError: null,
      running: false,
    };
    const timer = setInterval(() => void this.run(name), intervalMs).unref();
    this.jobs.set(name, { state, timer, fn, current: null });
    if (runNow) void this.run(name);
  }

  /** Runs a job now; when it is already running, waits for that run instead of starting a second. */
  run(name: string): Promise<void> {
    const job = this.jobs.get(name);
    if (!job || this.stopped) return Promise.resolve();
    job.current ??= this.execute(job).finally(() => (job.current = null));
    return job.current;
  }

  private async execute(job: { state: PeriodicJobState; fn: () => Promise<void> }): Promise<void> {
    const { state } = job;
    state.running = true;
    state.lastRunAt = new Date().toISOString();
    state.runs++;
    try {
      await job.fn();
      state.lastSuccessAt = new Date().toISOString();
      state.consecutiveFailures = 0;
      state.lastError = null;
    } catch (error) {
      state.failures++;
      state.consecutiveFailures++;
      // An unreachable database is an outage, reported once per job until it succeeds again, by its code: the
      // driver's error carries the whole query, and the loops poll every few seconds.
      const unavailable = databaseUnavailableCode(error);
      state.lastError = unavailable
        ? `Database unavailable (${unavailable})`
        : error instanceof Error
          ? error.message
          : String(error);
      if (!unavailable) this.log.error("Background job failed", { job: state.name, error });
      else if (state.consecutiveFailures === 1)
        this.log.warn("Background job failing while the database is unavailable; it keeps its schedule", {
          job: state.name,
          code: unavailable,
        });
    } finally {
      state.running = false;
    }
  }

  states(): PeriodicJobState[] {
    return [...this.jobs.values()].map((j) => ({ ...j.state }));
  }

  /** A job is unhealthy after three failures in a row, or when it has not succeeded for three intervals. */
  unhealthy(now = Date.now()): PeriodicJobState[] {
    return this.states().filter((s) => {
      if (s.consecutiveFailures >= 3) return true;
      const since = s.lastSuccessAt ? Date.parse(s.lastSuccessAt) : null;
      return s.runs > 0 && since !== null && now - since > s.intervalMs * 3;
    });
  }

  stop(): void {
    this.stopped = true;
    for (const job of this.jobs.values()) clearInterval(job.timer);
  }
}
