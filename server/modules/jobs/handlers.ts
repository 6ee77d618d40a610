import type { AppDeps } from "../../deps.ts";
import { pruneJobs } from "../../infra/durable-queue.ts";
import type { JobHandler } from "../../infra/job-worker.ts";
import { queueExpiryNotices } from "../api-keys/expiry-notices.ts";
import { summarizeDueConversations } from "../conversations/service.ts";
import { EMAIL_JOB, sendQueuedEmail } from "../email/outbox.ts";
import { finishInterruptedReplays } from "../replay/interrupted.ts";
import { pruneLogRecords } from "../otlp/log-records.ts";
import { applyRetention } from "../retention/service.ts";
import { USAGE_NOTIFY_JOB } from "../usage/counters.ts";
import { sendUsageWarning } from "../usage/notify.ts";

/** The kinds of durable job, as `jobs.kind` names them. */
export const JOB_KINDS = {
  summaries: "conversation.summaries",
  email: EMAIL_JOB,
  usageNotify: USAGE_NOTIFY_JOB,
  keyExpiry: "api-keys.expiry-notices",
  retention: "retention",
  interruptedReplays: "replays.interrupted",
} as const;

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
      await pruneLogRecords(deps);
    },
  };
}
