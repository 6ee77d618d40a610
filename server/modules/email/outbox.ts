import type { AppDeps } from "../../deps.ts";
import type { Db } from "../../infra/db.ts";
import type { Job } from "../../infra/durable-queue.ts";
import { enqueueJob } from "../../infra/durable-queue.ts";
import type { Email } from "../../infra/mailer.ts";

export const EMAIL_JOB = "email.send";

/**
 * Queues an e-mail; a job sends it, retried with back-off, so a slow or failing SMTP server never holds up the
 * request that caused it. `db` may be the transaction of the change the e-mail is about.
 */
export async function queueEmail(db: Db, email: Email): Promise<void> {
  await enqueueJob(db, EMAIL_JOB, { email }, { maxAttempts: 8 });
}

/** Queues and asks this instance's worker to look at once, rather than at its next poll. */
export async function queueEmailNow(deps: Pick<AppDeps, "database" | "jobs">, email: Email): Promise<void> {
  await queueEmail(deps.database.db, email);
  void deps.jobs.run("job-queue");
}

export async function sendQueuedEmail(deps: Pick<AppDeps, "mailer">, job: Job): Promise<void> {
  const email = job.payload.email as Email | undefined;
  if (!email?.to) throw new Error("E-mail job without a recipient");
  await deps.mailer.send(email);
}
