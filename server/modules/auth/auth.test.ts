import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, sessions, users } from "../../../db/schema.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import { SESSION_TTL_MS, validateSessionToken } from "../sessions/service.ts";
import type { RunningServer } from "../../server.ts";
import { PASSWORD, callerFor, createUser, uniqueEmail, codeOf } from "../../../tests/helpers/factories.ts";
import { startTestServer } from "../../../tests/helpers/server.ts";

describe("accounts and sessions", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.shutdown());

  it("hashes passwords with scrypt at OWASP's parameters and verifies them", async () => {
    const hash = await hashPassword("pässwörd-123");
    expect(hash).toMatch(/^scrypt\$32768\$8\$3\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword(hash, "pässwörd-123")).toBe(true);
    expect(await verifyPassword(hash, "pässwörd-124")).toBe(false);
    expect(await hashPassword("pässwörd-123")).not.toBe(hash);
  });

  it("signs up a first account as owner of a new organisation, with a session", async () => {
    const caller = callerFor(server.deps, null);
    const email = uniqueEmail("first");
    const { user } = await caller.auth.signUp({ email: email.toUpperCase(), password: PASSWORD, name: "Ada" });
    expect(user).toMatchObject({ email, name: "Ada" });
    const [row] = await server.deps.database.db.select().from(users).where(eq(users.email, email));
    expect(row?.passwordHash).toMatch(/^scrypt\$/);
    const signedIn = await createUser(server.deps, "again");
    const me = await callerFor(server.deps, signedIn).auth.me();
    expect(me?.orgs).toHaveLength(1);
    expect(me?.orgs[0]).toMatchObject({ role: "owner", id: me?.activeOrgId });
  });

  it("refuses a duplicate email and passwords outside 8–128 characters", async () => {
    const caller = callerFor(server.deps, null);
    const email = uniqueEmail("dup");
    await caller.auth.signUp({ email, password: PASSWORD });
    expect(await codeOf(caller.auth.signUp({ email, password: PASSWORD }))).toMatch(
      /^CONFLICT: An account with this email already exists/,
    );
    expect(await codeOf(caller.auth.signUp({ email: uniqueEmail(), password: "short" }))).toMatch(/^BAD_REQUEST/);
    expect(await codeOf(caller.auth.signUp({ email: uniqueEmail(), password: "x".repeat(129) }))).toMatch(
      /^BAD_REQUEST/,
    );
    expect(await codeOf(caller.auth.signUp({ email: uniqueEmail(), password: "x".repeat(128) }))).toBe("OK");
  });

  it("answers a wrong email and a wrong password with the same error", async () => {
    const user = await createUser(server.deps, "login");
    const caller = callerFor(server.deps, null, { ip: "10.1.1.1" });
    const wrongPassword = await codeOf(caller.auth.login({ email: user.email, password: "not the password" }));
    const wrongEmail = await codeOf(caller.auth.login({ email: uniqueEmail("nobody"), password: "not the password" }));
    expect(wrongPassword).toBe("UNAUTHORIZED: Invalid email or password");
    expect(wrongEmail).toBe(wrongPassword);
    expect(await codeOf(caller.auth.login({ email: ` ${user.email.toUpperCase()} `, password: PASSWORD }))).toBe("OK");
  });

  it("throttles 10 failures per account and address, without locking the account out elsewhere", async () => {
    const user = await createUser(server.deps, "throttle");
    const attacker = callerFor(server.deps, null, { ip: "203.0.113.7" });
    const results: string[] = [];
    for (let i = 0; i < 11; i++)
      results.push(await codeOf(attacker.auth.login({ email: user.email, password: `guess-${i}` })));
    expect(results.slice(0, 9).every((r) => r.startsWith("UNAUTHORIZED"))).toBe(true);
    expect(results[9]).toMatch(/^TOO_MANY_REQUESTS/);
    expect(results[10]).toMatch(/^TOO_MANY_REQUESTS/);
    // Even the right password waits out the window from that address…
    expect(await codeOf(attacker.auth.login({ email: user.email, password: PASSWORD }))).toMatch(/^TOO_MANY_REQUESTS/);
    // …while the owner, from their own address, signs in.
    expect(
      await codeOf(
        callerFor(server.deps, null, { ip: "198.51.100.2" }).auth.login({ email: user.email, password: PASSWORD }),
      ),
    ).toBe("OK");
    const failures = await server.deps.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "auth.login_failed"));
    expect(failures.filter((f) => f.target === user.email).length).toBeGreaterThanOrEqual(9);
  });

  it("stores only the SHA-256 of session tokens and extends a session used in its second half", async () => {
    const user = await createUser(server.deps, "rolling");
    const [row] = await server.deps.database.db.select().from(sessions).where(eq(sessions.userId, user.userId));
    expect(row?.id).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.id).not.toContain(user.token);
    expect(user.token.length).toBeGreaterThanOrEqual(26); // 160 bits in base32

    // Eleven hours left: the next use pushes expiry back to 24 hours from now.
    const soon = new Date(Date.now() + 11 * 3600_000);
    await server.deps.database.db.update(sessions).set({ expiresAt: soon }).where(eq(sessions.id, row!.id));
    await server.deps.store.delete(`session:${row!.id}`);
    const validated = await validateSessionToken(server.deps, user.token);
    expect(validated?.refreshed).toBe(true);
    expect(validated!.session.expiresAt.getTime()).toBeGreaterThan(Date.now() + SESSION_TTL_MS - 60_000);
  });

  it("logs out server-side at once, and lets a user revoke their other sessions", async () => {
    const user = await createUser(server.deps, "sessions");
    const second = await callerFor(server.deps, null).auth.login({ email: user.email, password: PASSWORD });
    expect(second.user.id).toBe(user.userId);
    const caller = callerFor(server.deps, user);
    const list = await caller.auth.sessions();
    expect(list).toHaveLength(2);
    expect(list.filter((s) => s.current)).toHaveLength(1);
    const other = list.find((s) => !s.current)!;
    await caller.auth.revokeSession({ sessionId: other.id });
    expect(await caller.auth.sessions()).toHaveLength(1);

    // The token was cached as valid a moment ago; logout must still end it immediately.
    expect(await validateSessionToken(server.deps, user.token)).not.toBeNull();
    await caller.auth.logout();
    expect(await validateSessionToken(server.deps, user.token)).toBeNull();
  });

  it("does not let a user revoke someone else's session", async () => {
    const alice = await createUser(server.deps, "alice");
    const bob = await createUser(server.deps, "bob");
    expect(await codeOf(callerFor(server.deps, alice).auth.revokeSession({ sessionId: bob.session.sessionId }))).toBe(
      "NOT_FOUND: No such session",
    );
    expect(await validateSessionToken(server.deps, bob.token)).not.toBeNull();
  });
});
