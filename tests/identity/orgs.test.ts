import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invites, providerCredentials } from "../../db/schema.ts";
import { createLogger } from "../../server/infra/logger.ts";
import { createMailer } from "../../server/infra/mailer.ts";
import { resolveCredential, rotateCredentials } from "../../server/modules/credentials/service.ts";
import { createInvite } from "../../server/modules/orgs/service.ts";
import { validateSessionToken } from "../../server/modules/sessions/service.ts";
import type { RunningServer } from "../../server/server.ts";
import { PASSWORD, callerFor, createOrgWithRoles, createUser, uniqueEmail, codeOf } from "../helpers/factories.ts";
import { isolatedDatabase } from "../helpers/isolated-database.ts";
import { startTestServer } from "../helpers/server.ts";
import { eventually, startSmtpServer } from "../helpers/smtp-server.ts";

describe("organisations, members and invitations", () => {
  let server: RunningServer;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let database: Awaited<ReturnType<typeof isolatedDatabase>>;

  beforeAll(async () => {
    // Invitations are sent by the job queue: on a database of its own, this server is the one that sends them.
    [smtp, database] = await Promise.all([startSmtpServer(), isolatedDatabase()]);
    server = await startTestServer({
      env: { ...smtp.env, ...database.env, ECHOS_API_URL: "https://echos.example.com" },
    });
  });
  afterAll(async () => {
    await server.shutdown();
    await smtp.close();
    await database.drop();
  });

  it("invites by e-mail with a 7-day link, and the invitee joins with the offered role", async () => {
    const team = await createOrgWithRoles(server.deps);
    const email = uniqueEmail("invitee");
    const invite = await callerFor(server.deps, team.admin).orgs.invite({ orgId: team.orgId, email, role: "member" });
    expect(invite.expiresAt.getTime() - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000);

    const mail = await eventually("the invitation e-mail", () => smtp.received.find((m) => m.to.includes(email)));
    expect(mail?.raw).toContain("invited you to");
    const token = /https:\/\/echos\.example\.com\/invite\/([a-z0-9]+)/.exec(
      mail?.raw.replace(/=\r?\n/g, "") ?? "",
    )?.[1];
    expect(token).toBeDefined();
    const [stored] = await server.deps.database.db.select().from(invites).where(eq(invites.id, invite.id));
    expect(stored?.tokenHash).not.toBe(token);

    const details = await callerFor(server.deps, null).orgs.inviteDetails({ token: token! });
    expect(details).toMatchObject({ email, role: "member" });
    const { user } = await callerFor(server.deps, null).auth.signUp({ email, password: PASSWORD, inviteToken: token });
    const members = await callerFor(server.deps, team.viewer).orgs.members({ orgId: team.orgId });
    expect(members.find((m) => m.userId === user.id)?.role).toBe("member");
    // Used once: the link is spent.
    expect(await codeOf(callerFor(server.deps, null).orgs.inviteDetails({ token: token! }))).toMatch(/^NOT_FOUND/);
  });

  it("refuses an invitation accepted by a different account", async () => {
    const team = await createOrgWithRoles(server.deps);
    const { token } = await createInvite(
      server.deps,
      { userId: team.owner.userId, email: team.owner.email, role: "owner" },
      team.orgId,
      uniqueEmail("someone"),
      "viewer",
    );
    const other = await createUser(server.deps, "other");
    expect(await codeOf(callerFor(server.deps, other).orgs.acceptInvite({ token }))).toMatch(
      /^FORBIDDEN: This invitation is for/,
    );
  });

  it("lets admins change roles and remove members, but keeps ownership to owners and one owner at least", async () => {
    const team = await createOrgWithRoles(server.deps);
    const admin = callerFor(server.deps, team.admin);
    await admin.orgs.changeRole({ orgId: team.orgId, userId: team.viewer.userId, role: "member" });
    expect(
      await codeOf(admin.orgs.changeRole({ orgId: team.orgId, userId: team.member.userId, role: "owner" })),
    ).toMatch(/^FORBIDDEN: Only an owner/);
    expect(await codeOf(admin.orgs.removeMember({ orgId: team.orgId, userId: team.owner.userId }))).toMatch(
      /^FORBIDDEN/,
    );
    const owner = callerFor(server.deps, team.owner);
    expect(
      await codeOf(owner.orgs.changeRole({ orgId: team.orgId, userId: team.owner.userId, role: "admin" })),
    ).toMatch(/^CONFLICT: An organisation needs at least one owner/);
    await admin.orgs.removeMember({ orgId: team.orgId, userId: team.member.userId });
    expect(await codeOf(callerFor(server.deps, team.member).orgs.members({ orgId: team.orgId }))).toMatch(/^FORBIDDEN/);
    const audit = await owner.audit.list({ orgId: team.orgId, limit: 50 });
    expect(audit.items.map((i) => i.action)).toEqual(expect.arrayContaining(["member.role_changed", "member.removed"]));
  });

  it("creates organisations and switches between them; the session remembers the choice", async () => {
    const user = await createUser(server.deps, "switcher");
    const caller = callerFor(server.deps, user);
    const second = await caller.orgs.create({ name: "Second org" });
    await caller.orgs.switch({ orgId: second.id });
    const refreshed = await validateSessionToken(server.deps, user.token);
    expect(refreshed?.session.activeOrgId).toBe(second.id);
    const stranger = await createUser(server.deps, "stranger");
    expect(await codeOf(callerFor(server.deps, stranger).orgs.switch({ orgId: second.id }))).toMatch(/^FORBIDDEN/);
  });
});

describe("provider credentials", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.shutdown());

  it("stores the key encrypted, shows it masked, and deletes it", async () => {
    const team = await createOrgWithRoles(server.deps);
    const admin = callerFor(server.deps, team.admin);
    const secret = "sk-test-1234567890abcdefWXYZ";
    const saved = await admin.credentials.save({
      orgId: team.orgId,
      name: "OPENAI_API_KEY",
      baseUrl: "https://api.openai.com/v1",
      apiKey: secret,
    });
    expect(saved.masked).toBe("••••WXYZ");
    expect(JSON.stringify(await admin.credentials.list({ orgId: team.orgId }))).not.toContain(secret);
    const [row] = await server.deps.database.db
      .select()
      .from(providerCredentials)
      .where(eq(providerCredentials.id, saved.id));
    expect(row?.secret).not.toContain(secret);
    expect(row?.secret.split(".")).toHaveLength(3);
    expect(await resolveCredential(server.deps, team.orgId, "OPENAI_API_KEY")).toMatchObject({ apiKey: secret });
    // Another organisation's name lookup finds nothing.
    const other = await createUser(server.deps, "other");
    expect(await resolveCredential(server.deps, other.orgId, "OPENAI_API_KEY")).toBeNull();
    await admin.credentials.delete({ orgId: team.orgId, id: saved.id });
    expect(await admin.credentials.list({ orgId: team.orgId })).toEqual([]);
  });

  it("re-seals every value under a new key (rotation) and still opens them", async () => {
    const team = await createOrgWithRoles(server.deps);
    await callerFor(server.deps, team.owner).credentials.save({
      orgId: team.orgId,
      name: "GROQ_API_KEY",
      baseUrl: "https://api.groq.com/openai/v1",
      apiKey: "gsk-rotate-me",
    });
    const rotatedDeps = {
      ...server.deps,
      config: {
        ...server.deps.config,
        encryptionKey: "n".repeat(40),
        encryptionKeyPrevious: server.deps.config.encryptionKey,
      },
    };
    // A value sealed under a key nobody has any more is reported and left alone; its neighbours still move.
    const lost = await createOrgWithRoles(server.deps);
    await callerFor(server.deps, lost.owner).credentials.save({
      orgId: lost.orgId,
      name: "OPENAI_API_KEY",
      baseUrl: "https://api.openai.com/v1",
      apiKey: "sk-lost",
    });
    await server.deps.database.db.execute(
      sql`update provider_credentials set key_id = 'retired-key' where org_id = ${lost.orgId}::uuid`,
    );
    // Before rotation, the new key alone could not open the old value; with the previous key configured it can.
    const result = await rotateCredentials(rotatedDeps);
    expect(result.rotated).toBeGreaterThanOrEqual(1);
    expect(result.unreadable).toContainEqual({ orgId: lost.orgId, name: "OPENAI_API_KEY", keyId: "retired-key" });
    const afterOnlyNewKey = { ...rotatedDeps, config: { ...rotatedDeps.config, encryptionKeyPrevious: undefined } };
    expect(await resolveCredential(afterOnlyNewKey, team.orgId, "GROQ_API_KEY")).toMatchObject({
      apiKey: "gsk-rotate-me",
    });
    expect((await rotateCredentials(rotatedDeps)).rotated).toBe(0);
  });

  it("writes e-mails to the log when SMTP is not configured", async () => {
    const lines: string[] = [];
    const log = createLogger({ env: "test", log: { level: "info", dir: "", files: false, json: true } });
    log.on("data", (info: { message: string }) => lines.push(info.message));
    const mailer = createMailer({ smtp: undefined, emailFrom: "x@y", isProduction: false }, log);
    expect(mailer.configured).toBe(false);
    await mailer.send({ to: "a@example.com", subject: "Hello", text: "Body" });
    expect(lines).toContain("E-mail (SMTP not configured, not sent)");
  });
});
