import { count, eq } from "drizzle-orm";
import { memberships, orgs, users } from "../../../db/schema.ts";
import type { AppDeps } from "../../deps.ts";
import { normaliseEmail } from "../../lib/email-address.ts";
import { conflict, tooManyRequests, unauthorized } from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import { queueEmail } from "../email/outbox.ts";
import { welcomeEmail } from "../email/templates.ts";
import { acceptInvite } from "../orgs/service.ts";
import { createSession } from "../sessions/service.ts";
import { decoyHash, hashPassword, verifyPassword } from "./password.ts";

type Deps = Pick<AppDeps, "database" | "store" | "config">;
export interface ClientMeta {
  ip?: string;
  userAgent?: string;
}

const LOGIN_WINDOW_MS = 15 * 60 * 1000;
const LOGIN_MAX_FAILURES = 10;
const INVALID_LOGIN = "Invalid email or password";

/**
 * A new account. Without an invitation it gets an organisation of its own, as its owner (so the very first
 * account on an empty installation owns the first organisation); with one, it joins the inviting organisation.
 */
export async function signUp(
  deps: Deps,
  input: { email: string; password: string; name?: string; inviteToken?: string },
  meta: ClientMeta,
) {
  const email = normaliseEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  const name = input.name?.trim() || email.split("@")[0]!;
  const created = await deps.database.db.transaction(async (tx) => {
    const [user] = await tx.insert(users).values({ email, name, passwordHash }).onConflictDoNothing().returning();
    if (!user) return null;
    if (input.inviteToken) return { user, orgId: null };
    const [org] = await tx
      .insert(orgs)
      .values({ name: `${name}'s organisation` })
      .returning();
    await tx.insert(memberships).values({ orgId: org!.id, userId: user.id, role: "owner" });
    // In the same transaction: the account and its welcome exist together or not at all. Invited accounts were
    // welcomed by their invitation.
    await queueEmail(tx, welcomeEmail(deps.config.publicUrl, { to: email, name, orgName: org!.name }));
    return { user, orgId: org!.id };
  });
  if (!created) throw conflict("An account with this email already exists; sign in instead");
  const actor = { userId: created.user.id, email, ip: meta.ip };
  let activeOrgId = created.orgId;
  if (input.inviteToken) activeOrgId = (await acceptInvite(deps, actor, input.inviteToken)).orgId;
  await recordAudit(deps, { orgId: activeOrgId, actor, action: "auth.signup", ip: meta.ip });
  const session = await createSession(deps, created.user.id, { ...meta, activeOrgId });
  return { ...session, user: { id: created.user.id, email, name } };
}

/**
 * Failed attempts are counted per account *and* client address: someone guessing from elsewhere cannot lock
 * the real user out. Unknown emails and wrong passwords get the same answer after the same work.
 */
export async function login(deps: Deps, input: { email: string; password: string }, meta: ClientMeta) {
  const email = normaliseEmail(input.email);
  const throttleKey = `login-failures:${email}:${meta.ip ?? "unknown"}`;
  const failures = Number((await deps.store.get(throttleKey)) ?? 0);
  if (failures >= LOGIN_MAX_FAILURES) {
    throw tooManyRequests("Too many failed sign-in attempts; try again later", Math.ceil(LOGIN_WINDOW_MS / 1000));
  }
  const [user] = await deps.database.db.select().from(users).where(eq(users.email, email)).limit(1);
  const valid = await verifyPassword(user?.passwordHash ?? (await decoyHash()), input.password);
  // The account's first organisation: where its sign-ins (and failed ones) show in the audit log.
  const [first] = user
    ? await deps.database.db
        .select({ orgId: memberships.orgId })
        .from(memberships)
        .where(eq(memberships.userId, user.id))
        .orderBy(memberships.createdAt)
        .limit(1)
    : [];
  const orgId = first?.orgId ?? null;
  if (!user || !valid) {
    const { count: n, ttlMs } = await deps.store.increment(throttleKey, LOGIN_WINDOW_MS);
    await recordAudit(deps, {
      orgId,
      actor: user ? { userId: user.id, email } : null,
      action: "auth.login_failed",
      target: email,
      ip: meta.ip,
    });
    if (n >= LOGIN_MAX_FAILURES)
      throw tooManyRequests("Too many failed sign-in attempts; try again later", Math.ceil(ttlMs / 1000));
    throw unauthorized(INVALID_LOGIN);
  }
  await deps.store.delete(throttleKey);
  await recordAudit(deps, { orgId, actor: { userId: user.id, email }, action: "auth.login", ip: meta.ip });
  const session = await createSession(deps, user.id, { ...meta, activeOrgId: orgId });
  return { ...session, user: { id: user.id, email, name: user.name } };
}

export async function userCount({ database }: Pick<AppDeps, "database">): Promise<number> {
  const [row] = await database.db.select({ n: count() }).from(users);
  return row?.n ?? 0;
}
