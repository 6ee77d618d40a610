import { sql } from "drizzle-orm";
import type { AppDeps } from "../../deps.ts";
import { queueEmail } from "../email/outbox.ts";
import { apiKeyExpiringEmail } from "../email/templates.ts";
import { rowsOf } from "../../infra/db.ts";

/** Keys expiring within this window get their notice. */
export const EXPIRY_NOTICE_DAYS = 7;

/**
 * Marks keys that expire within 7 days and have had no notice, and queues one e-mail per key to the
 * organisation's owners and admins and the key's creator (while a member) — in one transaction, so a key is noticed exactly once.
 */
export async function queueExpiryNotices(deps: Pick<AppDeps, "database" | "config">): Promise<number> {
  type Row = {
    id: string;
    name: string;
    prefix: string;
    expires_at: string | Date;
    org_name: string;
    recipients: string[];
  };
  return deps.database.db.transaction(async (tx) => {
    const rows = rowsOf<Row>(
      await tx.execute<Row>(sql`
        with due as (
          update api_keys k set expiry_notice_at = now()
          where k.id in (
            select id from api_keys
            where revoked_at is null and expiry_notice_at is null and expires_at > now()
              and expires_at <= now() + ${`${EXPIRY_NOTICE_DAYS} days`}::interval
            order by expires_at limit 200
            for update skip locked)
          returning k.id, k.org_id, k.name, k.prefix, k.expires_at, k.created_by
        )
        select due.id, due.name, due.prefix, due.expires_at, o.name as org_name,
          array(
            select distinct u.email from users u
            join memberships m on m.user_id = u.id and m.org_id = due.org_id
            where m.role in ('owner', 'admin') or u.id = due.created_by
          ) as recipients
        from due join orgs o on o.id = due.org_id`),
    );
    for (const key of rows) {
      for (const to of key.recipients) {
        await queueEmail(
          tx,
          apiKeyExpiringEmail(deps.config.publicUrl, {
            to,
            orgName: key.org_name,
            name: key.name,
            prefix: key.prefix,
            expiresAt: new Date(key.expires_at),
          }),
        );
      }
    }
    return rows.length;
  });
}
