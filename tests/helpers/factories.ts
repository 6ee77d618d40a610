import { randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { memberships } from "../../db/schema.ts";
import type { Role } from "@shared/roles.ts";
import type { AppDeps } from "../../server/deps.ts";
import { signUp } from "../../server/modules/auth/service.ts";
import { createSession, type SessionUser, validateSessionToken } from "../../server/modules/sessions/service.ts";
import { createInnerContext } from "../../server/trpc/context.ts";
import { createCaller } from "../../server/trpc/router.ts";

export const PASSWORD = "correct horse battery staple";

export const uniqueEmail = (label = "user") => `${label}-${randomBytes(5).toString("hex")}@example.com`;

export interface TestUser {
  userId: string;
  email: string;
  token: string;
  session: SessionUser;
  orgId: string;
}

/** A new account with its own organisation (as owner), signed in. */
export async function createUser(deps: AppDeps, label = "user"): Promise<TestUser> {
  const email = uniqueEmail(label);
  const result = await signUp(deps, { email, password: PASSWORD, name: label }, { ip: "127.0.0.1" });
  const validated = await validateSessionToken(deps, result.token);
  return {
    userId: result.user.id,
    email,
    token: result.token,
    session: validated!.session,
    orgId: validated!.session.activeOrgId!,
  };
}

/** Adds `user` to `orgId` with `role`, and returns a session whose current organisation is that one. */
export async function joinOrg(deps: AppDeps, user: TestUser, orgId: string, role: Role): Promise<TestUser> {
  await deps.database.db.insert(memberships).values({ orgId, userId: user.userId, role });
  const { token } = await createSession(deps, user.userId, { activeOrgId: orgId });
  const validated = await validateSessionToken(deps, token);
  return { ...user, token, session: validated!.session, orgId };
}

/** An owner's organisation with one member of every other role. */
export async function createOrgWithRoles(deps: AppDeps) {
  const owner = await createUser(deps, "owner");
  const [admin, member, viewer] = await Promise.all(
    (["admin", "member", "viewer"] as const).map(async (role) =>
      joinOrg(deps, await createUser(deps, role), owner.orgId, role),
    ),
  );
  return { orgId: owner.orgId, owner, admin: admin!, member: member!, viewer: viewer! };
}

export function callerFor(deps: AppDeps, user: TestUser | null, extra: { ip?: string } = {}) {
  return createCaller(createInnerContext(deps, { session: user?.session ?? null, ip: extra.ip ?? "127.0.0.1" }));
}

/** "OK", or the tRPC error a call ended with as "CODE: message" — compact to assert on. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    if (error instanceof TRPCError) return `${error.code}: ${error.message}`;
    throw error;
  }
}
