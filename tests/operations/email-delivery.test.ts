import { sql } from "drizzle-orm";
import { rowsOf } from "../../server/infra/db.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueExpiryNotices } from "../../server/modules/api-keys/expiry-notices.ts";
import type { RunningServer } from "../../server/server.ts";
import { PASSWORD, callerFor, createOrgWithRoles, uniqueEmail } from "../helpers/factories.ts";
import { isolatedDatabase } from "../helpers/isolated-database.ts";
import { startTestServer } from "../helpers/server.ts";
import { eventually, startSmtpServer } from "../helpers/smtp-server.ts";
import { z } from "zod";
import { ZHealthReport, ZJobKindStats, ZSyncHealth } from "@shared/schemas/health.ts";

describe("e-mail through the job queue", () => {
  let server: RunningServer;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let database: Awaited<ReturnType<typeof isolatedDatabase>>;
  const health = async () => ZHealthReport.parse(await (await fetch(`${server.url}/api/health`)).json());
  const queue = async () => {
    const body = ZSyncHealth.extend({ queue: z.array(ZJobKindStats) }).parse(
      await (await fetch(`${server.url}/api/sync/health`)).json(),
    );
    return body.queue.find((q) => q.kind === "email.send");
  };

  beforeAll(async () => {
    [smtp, database] = await Promise.all([startSmtpServer(), isolatedDatabase()]);
    server = await startTestServer({
      env: { ...smtp.env, ...database.env, ECHOS_API_URL: "https://echos.example.com", JOBS_POLL_MS: "200" },
    });
  });
  afterAll(async () => {
    await server.shutdown();
    await smtp.close();
    await database.drop();
  });

  it("welcomes a new account with a link to this installation", async () => {
    const email = uniqueEmail("welcome");
    await callerFor(server.deps, null).auth.signUp({ email, password: PASSWORD, name: "Grace" });
    const mail = await eventually("the welcome e-mail", () => smtp.received.find((m) => m.to.includes(email)));
    expect(mail.text).toContain("Welcome to Echos, Grace");
    expect(mail.text).toContain("https://echos.example.com/");
  });

  it("keeps the request fast while SMTP refuses, reports it in health, and delivers on a later attempt", async () => {
    const team = await createOrgWithRoles(server.deps);
    smtp.state.failing = true;
    const email = uniqueEmail("invitee");
    // The invitation is accepted at once: sending is the queue's business.
    const invite = await callerFor(server.deps, team.admin).orgs.invite({ orgId: team.orgId, email, role: "viewer" });
    expect(invite.email).toBe(email);

    await eventually("the SMTP server to refuse the e-mail", () => smtp.state.refused > 0);
    await eventually("health to report e-mail as degraded", async () => (await health()).services.email === "degraded");
    expect((await health()).status).toBe("degraded");
    const retrying = await eventually("the queue to show the retry", async () => {
      const q = await queue();
      return q && q.retrying > 0 ? q : null;
    });
    expect(retrying.lastError).toMatch(/Mailbox temporarily unavailable/);

    smtp.state.failing = false;
    // The retry waits out its back-off (2 s for the first).
    await eventually("the invitation to arrive", () => smtp.received.find((m) => m.to.includes(email)));
    await eventually("health to recover", async () => (await health()).services.email === "ok");
  });

  it("sends one notice per API key expiring within 7 days, to the owners and admins", async () => {
    const team = await createOrgWithRoles(server.deps);
    const admin = callerFor(server.deps, team.admin).apiKeys;
    const soon = await admin.create({ orgId: team.orgId, name: "nightly", expiresInDays: 3 });
    await admin.create({ orgId: team.orgId, name: "long-lived", expiresInDays: 90 });
    const revoked = await admin.create({ orgId: team.orgId, name: "old", expiresInDays: 2 });
    await admin.revoke({ orgId: team.orgId, keyId: revoked.id });

    const [first, second] = [await queueExpiryNotices(server.deps), await queueExpiryNotices(server.deps)];
    expect(first).toBeGreaterThanOrEqual(1);
    expect(second).toBe(0);
    // The subject is MIME-encoded (it has quotes); the body is plain.
    const subject = 'The API key "nightly"';
    for (const to of [team.owner.email, team.admin.email])
      await eventually(`the expiry notice to ${to}`, () =>
        smtp.received.find((m) => m.to.includes(to) && m.text.includes(subject)),
      );
    const notices = smtp.received.filter((m) => m.text.includes(subject));
    expect(notices.flatMap((m) => m.to).sort()).toEqual([team.admin.email, team.owner.email].sort());
    expect(smtp.received.some((m) => m.text.includes('"long-lived"') || m.text.includes('"old"'))).toBe(false);
    expect(notices[0]!.text).toContain("https://echos.example.com/settings/api-keys");
    const result = await server.deps.database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from api_keys where id = ${soon.id} and expiry_notice_at is not null`,
    );
    expect(rowsOf<{ n: number }>(result)[0]!.n).toBe(1);
  });
});
