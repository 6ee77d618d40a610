import { sql } from "drizzle-orm";
import type { AppDeps } from "../../deps.ts";
import type { Job } from "../../infra/durable-queue.ts";
import { queueEmail } from "../email/outbox.ts";
import { usageWarningEmail } from "../email/templates.ts";
import { rowsOf } from "../../infra/db.ts";
import { resetsAt } from "./period.ts";

/** The `usage.notify` job: one warning e-mail to each owner and admin, queued together. */
export async function sendUsageWarning(deps: Pick<AppDeps, "database" | "config" | "jobs">, job: Job): Promise<void> {
  const p = job.payload as {
    orgId: string;
    period: string;
    metric: "spans" | "replays";
    threshold: 90 | 100;
    used: number;
    limit: number;
  };
  type Row = { email: string; org_name: string };
  const recipients = rowsOf<Row>(
    await deps.database.db.execute<Row>(sql`
      select u.email, o.name as org_name from memberships m
      join users u on u.id = m.user_id join orgs o on o.id = m.org_id
      where m.org_id = ${p.orgId}::uuid and m.role in ('owner', 'admin') order by u.email`),
  );
  await deps.database.db.transaction(async (tx) => {
    for (const r of recipients) {
      await queueEmail(
        tx,
        usageWarningEmail(deps.config.publicUrl, {
          to: r.email,
          orgName: r.org_name,
          metric: p.metric,
          threshold: p.threshold,
          used: p.used,
          limit: p.limit,
          resetsAt: resetsAt(p.period),
        }),
      );
    }
  });
}
