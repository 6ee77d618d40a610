import { and, asc, count, eq, gt, isNull } from "drizzle-orm";
import { invites, memberships, orgs, users } from "../../../db/schema.ts";
import { type Role, hasRole } from "@shared/roles.ts";
import type { AppDeps } from "../../deps.ts";
import { conflict, forbidden, notFound } from "../../lib/errors.ts";
import { generateToken, hashToken } from "../../lib/tokens.ts";
import type { Db } from "../../infra/db.ts";
import { forgetRevokedKeys, revokeKeysCreatedBy } from "../api-keys/service.ts";
import { recordAudit } from "../audit/service.ts";
import { leaveOrgInSessions } from "../sessions/service.ts";

export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

type Deps = Pick<AppDeps, "database" | "store">;
export interface Actor {
  userId: string;
  email: string;
  ip?: string;
}

export async function roleOf(
  { database }: Pick<AppDeps, "database">,
  orgId: string,
  userId: string,
): Promise<Role | null> {
  const [row] = await database.db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .limit(1);
  return row?.role ?? null;
}

/** The caller's role in the organisation, or a Forbidden naming what is missing. */
export async function requireRole(
  deps: Pick<AppDeps, "database">,
  orgId: string,
  userId: string,
  minRole: Role,
): Promise<Role> {
  const role = await roleOf(deps, orgId, userId);
  if (!role) throw forbidden("You are not a member of this organisation");
  if (!hasRole(role, minRole)) throw forbidden(`This needs the ${minRole} role or higher; you are ${role}`);
  return role;
}

export async function listUserOrgs({ database }: Pick<AppDeps, "database">, userId: string) {
  return database.db
    .select({ id: orgs.id, name: orgs.name, role: memberships.role, createdAt: orgs.createdAt })
    .from(memberships)
    .innerJoin(orgs, eq(orgs.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(orgs.createdAt));
}

export async function createOrg(deps: Deps, actor: Actor, name: string) {
  const org = await deps.database.db.transaction(async (tx) => {
    const [created] = await tx.insert(orgs).values({ name }).returning();
    await tx.insert(memberships).values({ orgId: created!.id, userId: actor.userId, role: "owner" });
    return created!;
  });
  await recordAudit(deps, { orgId: org.id, actor, action: "org.created", target: org.name, ip: actor.ip });
  return { id: org.id, name: org.name, role: "owner" as const };
}

export async function renameOrg(deps: Deps, actor: Actor, orgId: string, name: string) {
  await deps.database.db.update(orgs).set({ name }).where(eq(orgs.id, orgId));
  await recordAudit(deps, { orgId, actor, action: "org.renamed", target: name, ip: actor.ip });
}

export async function listMembers({ database }: Pick<AppDeps, "database">, orgId: string) {
  return database.db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, orgId))
    .orderBy(asc(memberships.createdAt));
}

async function ownerCount(db: Db, orgId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "owner")));
  return row?.n ?? 0;
}

async function roleIn(db: Db, orgId: string, userId: string): Promise<Role | null> {
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .limit(1);
  return row?.role ?? null;
}

/**
 * Runs a change of the organisation's memberships in a transaction that first locks the organisation's row, so
 * changes to one organisation's members happen one at a time and each sees the others' result. The rules are then
 * checked on what is true now: the actor's role as it is after any change that went first (checked before, two
 * owners removing each other at once both passed), and the count of owners after it (two owners demoting
 * themselves at once both saw two owners and left none).
 */
async function withMembershipLock<T>(
  deps: Deps,
  orgId: string,
  actor: Actor,
  change: (tx: Db, actorRole: Role) => Promise<T>,
): Promise<T> {
  return deps.database.db.transaction(async (tx) => {
    await tx.select({ id: orgs.id }).from(orgs).where(eq(orgs.id, orgId)).for("update");
    const actorRole = await roleIn(tx, orgId, actor.userId);
    if (!actorRole || !hasRole(actorRole, "admin"))
      throw forbidden("You are no longer an admin or owner of this organisation");
    return change(tx, actorRole);
  });
}

/** Admins manage members below owner; only owners grant or take away ownership; the last owner stays. */
async function emailOf({ database }: Pick<AppDeps, "database">, userId: string): Promise<string> {
  const [row] = await database.db.select({ email: users.email }).from(users).where(eq(users.id, userId)).limit(1);
  return row?.email ?? userId;
}

async function assertCanManage(db: Db, orgId: string, actorRole: Role, targetUserId: string, newRole?: Role) {
  const current = await roleIn(db, orgId, targetUserId);
  if (!current) throw notFound("That person is not a member of this organisation");
  if ((current === "owner" || newRole === "owner") && actorRole !== "owner") {
    throw forbidden("Only an owner can grant or remove the owner role");
  }
  if (current === "owner" && newRole !== "owner" && (await ownerCount(db, orgId)) <= 1) {
    throw conflict("An organisation needs at least one owner; make someone else owner first");
  }
  return current;
}

export async function changeRole(deps: Deps, actor: Actor & { role: Role }, orgId: string, userId: string, role: Role) {
  const previous = await withMembershipLock(deps, orgId, actor, async (tx, actorRole) => {
    const current = await assertCanManage(tx, orgId, actorRole, userId, role);
    await tx
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
    return current;
  });
  await recordAudit(deps, {
    orgId,
    actor,
    action: "member.role_changed",
    target: await emailOf(deps, userId),
    metadata: { from: previous, to: role },
    ip: actor.ip,
  });
}

/**
 * Removes a member. API keys they created are revoked with them (each revocation audit-logged): keys belong to the
 * organisation, but a key someone made stays in their hands, so an ex-member keeps no access through one.
 */
export async function removeMember(deps: Deps, actor: Actor & { role: Role }, orgId: string, userId: string) {
  const { previous, revokedKeys } = await withMembershipLock(deps, orgId, actor, async (tx, actorRole) => {
    const current = await assertCanManage(tx, orgId, actorRole, userId);
    await tx.delete(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
    return { previous: current, revokedKeys: await revokeKeysCreatedBy(tx, orgId, userId) };
  });
  await leaveOrgInSessions(deps, userId, orgId);
  await forgetRevokedKeys(deps, actor, orgId, revokedKeys);
  await recordAudit(deps, {
    orgId,
    actor,
    action: "member.removed",
    target: await emailOf(deps, userId),
    metadata: { role: previous },
    ip: actor.ip,
  });
}

export async function createInvite(
  deps: Deps,
  actor: Actor & { role: Role },
  orgId: string,
  email: string,
  role: Role,
) {
  if (role === "owner" && actor.role !== "owner") throw forbidden("Only an owner can invite another owner");
  const [existing] = await deps.database.db
    .select({ id: users.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(users.email, email)))
    .limit(1);
  if (existing) throw conflict(`${email} is already a member`);
  const token = generateToken();
  const expiresAt = new Date(Date.now() + INVITE_TTL_MS);
  const [invite] = await deps.database.db
    .insert(invites)
    .values({ orgId, email, role, tokenHash: hashToken(token), invitedBy: actor.userId, expiresAt })
    .returning({ id: invites.id });
  await recordAudit(deps, { orgId, actor, action: "member.invited", target: email, metadata: { role }, ip: actor.ip });
  const [org] = await deps.database.db.select({ name: orgs.name }).from(orgs).where(eq(orgs.id, orgId)).limit(1);
  return { id: invite!.id, token, expiresAt, orgName: org?.name ?? "an organisation" };
}

export async function listPendingInvites({ database }: Pick<AppDeps, "database">, orgId: string) {
  return database.db
    .select({
      id: invites.id,
      email: invites.email,
      role: invites.role,
      expiresAt: invites.expiresAt,
      createdAt: invites.createdAt,
    })
    .from(invites)
    .where(
      and(
        eq(invites.orgId, orgId),
        isNull(invites.acceptedAt),
        isNull(invites.revokedAt),
        gt(invites.expiresAt, new Date()),
      ),
    )
    .orderBy(asc(invites.createdAt));
}

export async function revokeInvite({ database }: Pick<AppDeps, "database">, orgId: string, inviteId: string) {
  const [row] = await database.db
    .update(invites)
    .set({ revokedAt: new Date() })
    .where(and(eq(invites.id, inviteId), eq(invites.orgId, orgId), isNull(invites.acceptedAt)))
    .returning({ id: invites.id });
  if (!row) throw notFound("No such pending invitation");
}

/** Looks up an invitation by its token, for the accept page: which organisation, for whom, still valid. */
export async function findInvite({ database }: Pick<AppDeps, "database">, token: string) {
  const [row] = await database.db
    .select({
      id: invites.id,
      orgId: invites.orgId,
      orgName: orgs.name,
      email: invites.email,
      role: invites.role,
      expiresAt: invites.expiresAt,
      acceptedAt: invites.acceptedAt,
      revokedAt: invites.revokedAt,
      inviterEmail: users.email,
    })
    .from(invites)
    .innerJoin(orgs, eq(orgs.id, invites.orgId))
    .leftJoin(users, eq(users.id, invites.invitedBy))
    .where(eq(invites.tokenHash, hashToken(token)))
    .limit(1);
  if (!row || row.revokedAt || row.acceptedAt || row.expiresAt.getTime() <= Date.now()) {
    throw notFound("This invitation is not valid any more: it was used, revoked, or has expired");
  }
  return row;
}

export async function acceptInvite(deps: Deps, actor: Actor, token: string) {
  const invite = await findInvite(deps, token);
  if (invite.email !== actor.email)
    throw forbidden(`This invitation is for ${invite.email}; sign in with that address to accept it`);
  await deps.database.db.transaction(async (tx) => {
    await tx.update(invites).set({ acceptedAt: new Date() }).where(eq(invites.id, invite.id));
    await tx
      .insert(memberships)
      .values({ orgId: invite.orgId, userId: actor.userId, role: invite.role })
      .onConflictDoNothing();
  });
  await recordAudit(deps, {
    orgId: invite.orgId,
    actor,
    action: "member.joined",
    target: actor.email,
    metadata: { role: invite.role },
    ip: actor.ip,
  });
  return { orgId: invite.orgId, orgName: invite.orgName, role: invite.role };
}
