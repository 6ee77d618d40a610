import { and, desc, eq, lt } from "drizzle-orm";
import { auditLog } from "../../../db/schema.ts";
import type { AppDeps } from "../../deps.ts";

export interface AuditEntry {
  orgId: string | null;
  actor: { userId: string; email: string } | null;
  action: string;
  target?: string;
  metadata?: Record<string, unknown>;
  ip?: string;
}

export type AuditAction =
  | "auth.login"
  | "auth.login_failed"
  | "auth.signup"
  | "api_key.created"
  | "api_key.revoked"
  | "member.invited"
  | "member.joined"
  | "member.role_changed"
  | "member.removed"
  | "credential.saved"
  | "credential.deleted"
  | "model_price.saved"
  | "model_price.deleted"
  | "model_price.applied"
  | "org.created"
  | "org.renamed"
  | "usage.limits_updated";

export async function recordAudit(
  { database }: Pick<AppDeps, "database">,
  entry: AuditEntry & { action: AuditAction },
) {
  await database.db.insert(auditLog).values({
    orgId: entry.orgId,
    actorUserId: entry.actor?.userId ?? null,
    actorEmail: entry.actor?.email ?? null,
    action: entry.action,
    target: entry.target ?? null,
    metadata: entry.metadata ?? {},
    ip: entry.ip ?? null,
  });
}

export async function listAudit(
  { database }: Pick<AppDeps, "database">,
  orgId: string,
  opts: { before?: number; limit: number },
) {
  const rows = await database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.orgId, orgId), opts.before ? lt(auditLog.id, opts.before) : undefined))
    .orderBy(desc(auditLog.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      action: r.action,
      actorEmail: r.actorEmail,
      target: r.target,
      metadata: r.metadata,
      ip: r.ip,
      createdAt: r.createdAt.toISOString(),
    })),
    nextCursor: rows.length > opts.limit ? (page.at(-1)?.id ?? null) : null,
  };
}
