import { sql } from "drizzle-orm";
import type { Config } from "../../config.ts";
import { type Db, rowsOf } from "../../infra/db.ts";
import { notFound } from "../../lib/errors.ts";

export interface OrgLimits {
  /** Effective values: the organisation's own, else the installation's default. 0 means unlimited. */
  spansLimit: number;
  replaysLimit: number;
  retentionDays: number;
  /** What the owners set; null where the default applies. */
  overrides: { spansLimit: number | null; replaysLimit: number | null; retentionDays: number | null };
  orgName: string;
}

export async function orgLimits(db: Db, config: Pick<Config, "usage">, orgId: string): Promise<OrgLimits> {
  type Row = { name: string; spans_limit: number | null; replays_limit: number | null; retention_days: number | null };
  const [row] = rowsOf<Row>(
    await db.execute<Row>(
      sql`select name, spans_limit, replays_limit, retention_days from orgs where id = ${orgId}::uuid`,
    ),
  );
  if (!row) throw notFound("Organisation not found");
  const overrides = {
    spansLimit: row.spans_limit === null ? null : Number(row.spans_limit),
    replaysLimit: row.replays_limit === null ? null : Number(row.replays_limit),
    retentionDays: row.retention_days === null ? null : Number(row.retention_days),
  };
  return {
    spansLimit: overrides.spansLimit ?? config.usage.spansLimit,
    replaysLimit: overrides.replaysLimit ?? config.usage.replaysLimit,
    retentionDays: overrides.retentionDays ?? config.usage.retentionDays,
    overrides,
    orgName: row.name,
  };
}
