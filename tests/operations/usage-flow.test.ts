import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EchosClient, UsageLimitError } from "../../sdk/index.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createOrgWithRoles } from "../helpers/factories.ts";
import { isolatedDatabase } from "../helpers/isolated-database.ts";
import { startTestServer } from "../helpers/server.ts";
import { eventually, startSmtpServer } from "../helpers/smtp-server.ts";
import { ZIngestResponse } from "@shared/schemas/ingest.ts";

const uid = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;
const now = () => new Date().toISOString();
const spanItems = (runId: string, n: number) =>
  Array.from({ length: n }, () => ({ type: "span", id: uid("span"), runId, name: "step", startedAt: now() }));
const firstOfNextMonth = () => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString();
};

describe("usage limits end to end", () => {
  let server: RunningServer;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let database: Awaited<ReturnType<typeof isolatedDatabase>>;
  let team: Awaited<ReturnType<typeof createOrgWithRoles>>;
  let key: string;

  const ingest = (items: unknown[], path = "/api/v1/ingest") =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify({ items }),
    });
  const warnings = (to: string, subject: string) =>
    smtp.received.filter((m) => m.to.includes(to) && m.text.includes(subject));

  beforeAll(async () => {
    [smtp, database] = await Promise.all([startSmtpServer(), isolatedDatabase()]);
    server = await startTestServer({
      env: { ...smtp.env, ...database.env, ECHOS_API_URL: "https://echos.example.com", JOBS_POLL_MS: "200" },
    });
    team = await createOrgWithRoles(server.deps);
    await callerFor(server.deps, team.owner).usage.updateLimits({
      orgId: team.orgId,
      spansLimit: 20,
      replaysLimit: null,
      retentionDays: null,
    });
    key = (await callerFor(server.deps, team.member).apiKeys.create({ orgId: team.orgId, name: "sdk" })).key;
  });
  afterAll(async () => {
    await server.shutdown();
    await smtp.close();
    await database.drop();
  });

  it("warns owners and admins once at 90 %, refuses spans past 100 % per item, then answers 429 until the reset", async () => {
    const runId = uid("run");
    const first = await ingest([{ type: "run", id: runId, name: "agent", startedAt: now() }, ...spanItems(runId, 18)]);
    expect(first.status).toBe(207);
    expect(ZIngestResponse.parse(await first.json()).accepted).toBe(19);

    const warning = "Usage limit warning: 90 % of spans ingested";
    await eventually("the 90 % warning to the owner and the admin", () =>
      [team.owner.email, team.admin.email].every((to) => warnings(to, warning).length > 0),
    );
    const mail = warnings(team.owner.email, warning)[0]!;
    expect(mail.text).toContain("18 of 20 spans ingested this month");
    expect(mail.text).toContain("https://echos.example.com/usage");
    expect(mail.raw).toMatch(/Content-Type: text\/html/i);

    // Another batch below 100 %: no second warning. The next one crosses the limit: two of its five new spans are
    // taken, three refused one by one, and the answer says why.
    expect((await ingest(spanItems(runId, 1))).status).toBe(207);
    const crossing = await ingest(spanItems(runId, 4));
    expect(crossing.status).toBe(207);
    const body = ZIngestResponse.parse(await crossing.json());
    expect(body).toMatchObject({
      accepted: 1,
      rejected: 3,
      limit: { limit: 20, usage: 20, resetsAt: firstOfNextMonth() },
    });
    expect(body.results.filter((r) => r.status === "error")[0]?.error).toMatch(/Monthly span limit reached: 20 of 20/);

    const full = await ingest(spanItems(runId, 1));
    expect(full.status).toBe(429);
    expect(Number(full.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await full.json()).toMatchObject({
      error: "usage_limit_reached",
      limit: 20,
      usage: 20,
      resetsAt: firstOfNextMonth(),
    });
    const otlp = await fetch(`${server.url}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify({ resourceSpans: [] }),
    });
    expect(otlp.status).toBe(429);

    // Once the 100 % e-mail has arrived, everything before it has been sent: exactly one 90 % warning each.
    const reached = "Usage limit reached: spans ingested";
    await eventually("the 100 % e-mail to the owner and the admin", () =>
      [team.owner.email, team.admin.email].every((to) => warnings(to, reached).length > 0),
    );
    for (const to of [team.owner.email, team.admin.email]) {
      expect(warnings(to, warning)).toHaveLength(1);
      expect(warnings(to, reached)).toHaveLength(1);
    }
    for (const to of [team.member.email, team.viewer.email]) expect(warnings(to, "Usage limit")).toEqual([]);

    const report = await callerFor(server.deps, team.viewer).usage.get({ orgId: team.orgId });
    expect(report.spans).toEqual({ used: 20, limit: 20 });
    expect(report.daily.find((d) => d.day === new Date().toISOString().slice(0, 10))).toMatchObject({
      spans: 20,
      spansTotal: 20,
    });
    expect(report.resetsAt).toBe(firstOfNextMonth());
  });

  it("makes the SDK report the limit once and drop items until the reset instead of retrying", async () => {
    const errors: Error[] = [];
    const client = new EchosClient({
      apiKey: key,
      apiUrl: server.url,
      flushIntervalMs: 60_000,
      onError: (e) => errors.push(e),
    });
    const runId = uid("run");
    for (const item of spanItems(runId, 3)) client.enqueue(item as never);
    await client.flush();
    for (const item of spanItems(runId, 2)) client.enqueue(item as never);
    await client.flush();
    await client.shutdown();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(UsageLimitError);
    expect((errors[0] as UsageLimitError).info).toMatchObject({ limit: 20, usage: 20, resetsAt: firstOfNextMonth() });
    expect(client.stats()).toMatchObject({ limited: 5, retries: 0, failed: 0, sent: 0 });
  });
});
