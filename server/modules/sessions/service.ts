import { and, eq, gt } from "drizzle-orm";
import { sessions, users } from "../../../db/schema.ts";
import type { AppDeps } from "../../deps.ts";
import { generateToken, hashToken } from "../../lib/tokens.ts";

/** 24 hours, extended on use once less than half remains (seed 004's rolling expiry). */
export const SESSION_TTL_MS = 24 * 60 * 60 * 1000;
const CACHE_TTL_MS = 60_000;
const TOUCH_INTERVAL_MS = 5 * 60_000;
const cacheKey = (id: string) => `session:${id}`;

export interface SessionUser {
  sessionId: string;
  userId: string;
  email: string;
  name: string;
  activeOrgId: string | null;
  expiresAt: Date;
}

type Deps = Pick<AppDeps, "database" | "store">;

export async function createSession(
  deps: Deps,
  userId: string,
  meta: { ip?: string; userAgent?: string; activeOrgId?: string | null },
): Promise<{ token: string; expiresAt: Date }> {
  const token = generateToken();
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await deps.database.db.insert(sessions).values({
    id: hashToken(token),
    userId,
    expiresAt,
    activeOrgId: meta.activeOrgId ?? null,
    ip: meta.ip ?? null,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
  });
  return { token, expiresAt };
}

async function loadSession(deps: Deps, id: string): Promise<SessionUser | null> {
  const cached = await deps.store.get(cacheKey(id));
  if (cached) {
    const parsed = JSON.parse(cached) as Omit<SessionUser, "expiresAt"> & { expiresAt: string };
    return { ...parsed, expiresAt: new Date(parsed.expiresAt) };
  }
  const [row] = await deps.database.db
    .select({
      sessionId: sessions.id,
      userId: sessions.userId,
      email: users.email,
      name: users.name,
      activeOrgId: sessions.activeOrgId,
      expiresAt: sessions.expiresAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, id), gt(sessions.expiresAt, new Date())))
    .limit(1);
  if (!row) return null;
  await deps.store.set(cacheKey(id), JSON.stringify(row), CACHE_TTL_MS);
  return row;
}

/**
 * Resolves a token to its session, or null. Reads go through the shared cache; revocation deletes the cache
 * entry as well as the row, so it takes effect at once on every instance.
 */
export async function validateSessionToken(
  deps: Deps,
  token: string,
): Promise<{ session: SessionUser; refreshed: boolean } | null> {
  const id = hashToken(token);
  const session = await loadSession(deps, id);
  if (!session) return null;
  const now = Date.now();
  if (session.expiresAt.getTime() <= now) {
    await invalidateSession(deps, id);
    return null;
  }
  // "Last used" for the sessions list, written at most once per interval per session.
  const { count } = await deps.store.increment(`session-touch:${id}`, TOUCH_INTERVAL_MS);
  if (count === 1)
    await deps.database.db
      .update(sessions)
      .set({ lastUsedAt: new Date(now) })
      .where(eq(sessions.id, id));
  if (session.expiresAt.getTime() - now < SESSION_TTL_MS / 2) {
    const expiresAt = new Date(now + SESSION_TTL_MS);
    await deps.database.db
      .update(sessions)
      .set({ expiresAt, lastUsedAt: new Date(now) })
      .where(eq(sessions.id, id));
    const refreshed = { ...session, expiresAt };
    await deps.store.set(cacheKey(id), JSON.stringify(refreshed), CACHE_TTL_MS);
    return { session: refreshed, refreshed: true };
  }
  return { session, refreshed: false };
}

export async function invalidateSession(deps: Deps, sessionId: string): Promise<void> {
  await deps.database.db.delete(sessions).where(eq(sessions.id, sessionId));
  await deps.store.delete(cacheKey(sessionId));
}

/** The session's current organisation, kept server-side so every tab agrees; its cached copy is dropped. */
export async function setActiveOrg(deps: Deps, sessionId: string, orgId: string): Promise<void> {
  await deps.database.db.update(sessions).set({ activeOrgId: orgId }).where(eq(sessions.id, sessionId));
  await forgetCachedSession(deps, sessionId);
}

export async function forgetCachedSession(deps: Deps, sessionId: string): Promise<void> {
  await deps.store.delete(cacheKey(sessionId));
}

/** After the user left an organisation: sessions that had it open fall back to none, cached copies included. */
export async function leaveOrgInSessions(deps: Deps, userId: string, orgId: string): Promise<void> {
  const affected = await deps.database.db
    .update(sessions)
    .set({ activeOrgId: null })
    .where(and(eq(sessions.userId, userId), eq(sessions.activeOrgId, orgId)))
    .returning({ id: sessions.id });
  await Promise.all(affected.map((s) => forgetCachedSession(deps, s.id)));
}

export async function listUserSessions(deps: Deps, userId: string) {
  return deps.database.db
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      lastUsedAt: sessions.lastUsedAt,
      expiresAt: sessions.expiresAt,
      ip: sessions.ip,
      userAgent: sessions.userAgent,
    })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, new Date())))
    .orderBy(sessions.createdAt);
}
