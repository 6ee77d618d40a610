import type { AppDeps } from "../../deps.ts";
import { enqueueForSlot } from "../../infra/durable-queue.ts";
import { JOB_KINDS } from "./handlers.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** How often the summary job looks for quiet conversations: half the quiet time, between 1 and 15 seconds. */
export const summaryIntervalMs = (deps: Pick<AppDeps, "config">) =>
  Math.min(15_000, Math.max(1_000, deps.config.summaries.quietMs / 2));

/**
 * Periodic kinds, enqueued once per slot however many instances call this (see `enqueueForSlot`).
 * Returns how many were new.
 */
export async function schedulePeriodicJobs(deps: Pick<AppDeps, "database" | "config">, now = Date.now()) {
  const db = deps.database.db;
  const created = await Promise.all([
    enqueueForSlot(db, JOB_KINDS.summaries, summaryIntervalMs(deps), {
      now,
      payload: { quietMs: deps.config.summaries.quietMs },
    }),
    enqueueForSlot(db, JOB_KINDS.keyExpiry, HOUR, { now }),
    enqueueForSlot(db, JOB_KINDS.interruptedReplays, MINUTE, { now }),
    // Not in the first minutes after a start: deleting is no work to compete with a deployment for.
    enqueueForSlot(db, JOB_KINDS.retention, HOUR, { now, delayMs: 5 * 60_000 }),
  ]);
  return created.filter((id) => id !== null).length;
}
