import { eq, sql } from "drizzle-orm";
import { orgs } from "../../../db/schema.ts";
import type { UsageReport } from "@shared/schemas/usage.ts";
import type { AppDeps } from "../../deps.ts";
import { notFound, tooManyRequests } from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import { rowsOf } from "../../infra/db.ts";
import { addUsage, lockUsage, noteThresholds } from "./counters.ts";
import { orgLimits } from "./limits.ts";
import { periodOf, resetsAt, secondsUntil } from "./period.ts";

type Deps = Pick<AppDeps, "database" | "config">;

/** What a refusal says: the limit, the usage and when it resets. */
export interface LimitState {
  metric: "spans" | "replays";
  limit: number;
  usage: number;
  resetsAt: Date;
  exhausted: boolean;
}

export function limitMessage(s: Pick<LimitState, "metric" | "limit" | "usage" | "resetsAt">): string {
  const what = s.metric === "spans" ? "span" : "replay";
  return `Monthly ${what} limit reached: ${s.usage.toLocaleString("en-US")} of ${s.limit.toLocaleString("en-US")} used; it resets at ${s.resetsAt.toISOString()}`;
}

/** Where this month's spans stand against the limit; read before a batch is parsed, so a full org is cheap to refuse. */
export async function spanQuota(deps: Deps, orgId: string): Promise<LimitState> {
  const period = periodOf();
  // One round trip per ingest request: the organisation's own limit and this month's count together.
  type Row = { spans_limit: number | null; spans: number | null };
  const [row] = rowsOf<Row>(
    await deps.database.db.execute<Row>(sql`
      select o.spans_limit, (select u.spans from usage u where u.org_id = o.id and u.period = ${period}) as spans
      from orgs o where o.id = ${orgId}::uuid`),
  );
  if (!row) throw notFound("Organisation not found");
  const usage = Number(row.spans ?? 0);
  const limit = row.spans_limit === null ? deps.config.usage.spansLimit : Number(row.spans_limit);
  return { metric: "spans", limit, usage, resetsAt: resetsAt(period), exhausted: limit > 0 && usage >= limit };
}

/**
 * Counts one replay for the organisation (month and day), or throws `tooManyRequests` naming the limit, the
 * usage and the reset time when the month's replays are spent. Crossing 90 or 100 % queues the warning e-mails.
 */
export async function consumeReplay(deps: Deps, orgId: string): Promise<void> {
  const period = periodOf();
  const limits = await orgLimits(deps.database.db, deps.config, orgId);
  const limit = limits.replaysLimit;
  const refused = await deps.database.db.transaction(async (tx) => {
    const current = await lockUsage(tx, orgId, period);
    if (limit > 0 && current.replays >= limit) return current.replays;
    const after = await addUsage(tx, orgId, { replays: 1 });
    await noteThresholds(tx, { orgId, period, metric: "replays", before: current.replays, used: after.replays, limit });
    return null;
  });
  if (refused !== null) {
    const reset = resetsAt(period);
    throw tooManyRequests(
      limitMessage({ metric: "replays", limit, usage: refused, resetsAt: reset }),
      secondsUntil(reset),
    );
  }
}

export async function usageReport(deps: Deps, orgId: string, now = new Date()): Promise<UsageReport> {
  const period = periodOf(now);
  const limits = await orgLimits(deps.database.db, deps.config, orgId);
  type Row = { day: string; spans: number; replays: number; runs: number };
  const rows = rowsOf<Row>(
    await deps.database.db.execute<Row>(sql`
      select to_char(day, 'YYYY-MM-DD') as day, spans, replays, runs from usage_daily
      where org_id = ${orgId}::uuid and day >= ${`${period}-01`}::date and day <= ${now.toISOString().slice(0, 10)}::date
      order by day`),
  );
  const [month] = rowsOf<Row>(
    await deps.database.db.execute<Row>(
      sql`select spans, replays, runs from usage where org_id = ${orgId}::uuid and period = ${period}`,
    ),
  );
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const daily: UsageReport["daily"] = [];
  let spansTotal = 0;
  let replaysTotal = 0;
  const daysInMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).getUTCDate();
  for (let d = 1; d <= daysInMonth; d++) {
    const day = `${period}-${String(d).padStart(2, "0")}`;
    const r = byDay.get(day);
    const spans = Number(r?.spans ?? 0);
    const replays = Number(r?.replays ?? 0);
    spansTotal += spans;
    replaysTotal += replays;
    const future = d > now.getUTCDate();
    daily.push({
      day,
      spans,
      replays,
      runs: Number(r?.runs ?? 0),
      spansTotal: future ? null : spansTotal,
      replaysTotal: future ? null : replaysTotal,
    });
  }
  return {
    period,
    resetsAt: resetsAt(period).toISOString(),
    spans: { used: Number(month?.spans ?? 0), limit: limits.spansLimit },
    replays: { used: Number(month?.replays ?? 0), limit: limits.replaysLimit },
    runs: Number(month?.runs ?? 0),
    retentionDays: limits.retentionDays,
    overrides: limits.overrides,
    defaults: { ...deps.config.usage },
    daily,
  };
}

export interface LimitsInput {
  spansLimit: number | null;
  replaysLimit: number | null;
  retentionDays: number | null;
}

/**
 * Owners set the organisation's limits (null: back to the default). A new limit the month has already passed
 * 90 or 100 % of sends its warning now, once, as if usage had just crossed it.
 */
export async function updateLimits(
  deps: Deps,
  actor: { userId: string; email: string; ip?: string },
  orgId: string,
  input: LimitsInput,
): Promise<void> {
  const period = periodOf();
  await deps.database.db.transaction(async (tx) => {
    await tx
      .update(orgs)
      .set({ spansLimit: input.spansLimit, replaysLimit: input.replaysLimit, retentionDays: input.retentionDays })
      .where(eq(orgs.id, orgId));
    const limits = await orgLimits(tx, deps.config, orgId);
    const current = await lockUsage(tx, orgId, period);
    for (const metric of ["spans", "replays"] as const) {
      const limit = metric === "spans" ? limits.spansLimit : limits.replaysLimit;
      await noteThresholds(tx, { orgId, period, metric, before: 0, used: current[metric], limit });
    }
  });
  await recordAudit(deps, { orgId, actor, action: "usage.limits_updated", metadata: { ...input }, ip: actor.ip });
}
