import type { AppDeps } from "../../deps.ts";
import type { JobHandler } from "../../infra/job-worker.ts";
import { enqueueForSlot, pruneJobs } from "../../infra/job-queue.ts";
import { queueExpiryNotices } from "../api-keys/expiry-notices.ts";
import { summarizeDueConversations } from "../conversations/service.ts";
import { EMAIL_JOB, sendQueuedEmail } from "../email/outbox.ts";
import { finishInterruptedReplays } from "../replay/interrupted.ts";
import { applyRetention } from "../retention/service.ts";
import { USAGE_NOTIFY_JOB } from "../usage/counters.ts";
import { sendUsageWarning } from "../usage/notify.ts";

const HOUR = 3_600_000;

export const JOB_KINDS = {
  summaries: "conversation.summaries",
  email: EMAIL_JOB,
  usageNotify: USAGE_NOTIFY_JOB,
  keyExpiry: "api-keys.expiry-notices",
  retention: "retention",
  interruptedReplays: "replays.interrupted",
} as const;
const MINUTE = 60_000;

/** How often the summary job looks for quiet conversations: half the quiet time, between 1 and 15 seconds. */
export const summaryIntervalMs = (deps: Pick<AppDeps, "config">) =>
  Math.min(15_000, Math.max(1_000, deps.config.summaries.quietMs / 2));

/** What each kind does. Handlers must tolerate running again after a crash (the job may be retried). */
export function jobHandlers(deps: AppDeps): Record<string, JobHandler> {
  return {
    // The quiet time of the instance that scheduled it, so every instance summarises alike.
    [JOB_KINDS.summaries]: async (job) => {
      const quietMs = Number(job.payload.quietMs) || deps.config.summaries.quietMs;
      await summarizeDueConversations({
        ...deps,
        config: { ...deps.config, summaries: { ...deps.config.summaries, quietMs } },
      });
    },
    [JOB_KINDS.email]: (job) => sendQueuedEmail(deps, job),
    [JOB_KINDS.usageNotify]: async (job) => {
      await sendUsageWarning(deps, job);
      void deps.jobs.run("job-queue");
    },
    [JOB_KINDS.keyExpiry]: async () => {
      if ((await queueExpiryNotices(deps)) > 0) void deps.jobs.run("job-queue");
    },
    [JOB_KINDS.interruptedReplays]: async () => void (await finishInterruptedReplays(deps)),
    [JOB_KINDS.retention]: async (_job, { signal }) => {
      await applyRetention(deps, { signal });
      await pruneJobs(deps.database.db);
    },
  };
}

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
