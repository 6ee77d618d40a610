import { sql } from "drizzle-orm";
import { rowsOf } from "../../infra/db.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../lib/errors.ts";
import { consumeReplay } from "./service.ts";
import type { RunningServer } from "../../server.ts";
import { callerFor, codeOf, createOrgWithRoles } from "../../../tests/helpers/factories.ts";
import { startTestServer } from "../../../tests/helpers/server.ts";

describe("organisation limits and replays", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({
      env: { USAGE_SPANS_LIMIT: "5000", USAGE_REPLAYS_LIMIT: "0", RETENTION_DAYS: "45" },
    });
  });
  afterAll(() => server.shutdown());

  const limits = { spansLimit: 100, replaysLimit: 2, retentionDays: 7 };

  it("lets owners alone edit limits and retention, and falls back to the defaults when cleared", async () => {
    const team = await createOrgWithRoles(server.deps);
    const orgId = team.orgId;
    const before = await callerFor(server.deps, team.viewer).usage.get({ orgId });
    expect(before).toMatchObject({
      spans: { used: 0, limit: 5000 },
      replays: { used: 0, limit: 0 },
      retentionDays: 45,
      overrides: { spansLimit: null, replaysLimit: null, retentionDays: null },
    });
    for (const who of [team.admin, team.member, team.viewer])
      expect(await codeOf(callerFor(server.deps, who).usage.updateLimits({ orgId, ...limits }))).toMatch(/^FORBIDDEN/);

    const updated = await callerFor(server.deps, team.owner).usage.updateLimits({ orgId, ...limits });
    expect(updated).toMatchObject({ spans: { limit: 100 }, replays: { limit: 2 }, retentionDays: 7 });
    const cleared = await callerFor(server.deps, team.owner).usage.updateLimits({
      orgId,
      spansLimit: null,
      replaysLimit: 0,
      retentionDays: null,
    });
    expect(cleared).toMatchObject({ spans: { limit: 5000 }, replays: { limit: 0 }, retentionDays: 45 });
  });

  it("refuses a negative or fractional limit with a readable reason", async () => {
    const team = await createOrgWithRoles(server.deps);
    const caller = callerFor(server.deps, team.owner).usage;
    expect(await codeOf(caller.updateLimits({ orgId: team.orgId, ...limits, spansLimit: -1 }))).toMatch(
      /^BAD_REQUEST: .*The span limit must be 0 \(unlimited\) or more/s,
    );
    expect(await codeOf(caller.updateLimits({ orgId: team.orgId, ...limits, retentionDays: 1.5 }))).toMatch(
      /^BAD_REQUEST: .*whole number of days/s,
    );
  });

  it("counts replays, warns at 90 and 100 % once, and refuses the next with the limit, usage and reset time", async () => {
    const team = await createOrgWithRoles(server.deps);
    await callerFor(server.deps, team.owner).usage.updateLimits({ orgId: team.orgId, ...limits });
    await consumeReplay(server.deps, team.orgId);
    await consumeReplay(server.deps, team.orgId);
    const error = await consumeReplay(server.deps, team.orgId).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    const reset = new Date();
    const resetsAt = new Date(Date.UTC(reset.getUTCFullYear(), reset.getUTCMonth() + 1, 1)).toISOString();
    expect((error as DomainError).kind).toBe("too_many_requests");
    expect((error as DomainError).message).toBe(`Monthly replay limit reached: 2 of 2 used; it resets at ${resetsAt}`);
    expect((error as DomainError).retryAfterSeconds).toBeGreaterThan(0);

    const report = await callerFor(server.deps, team.viewer).usage.get({ orgId: team.orgId });
    expect(report.replays).toEqual({ used: 2, limit: 2 });
    expect(report.daily.find((d) => d.day === new Date().toISOString().slice(0, 10))).toMatchObject({
      replays: 2,
      replaysTotal: 2,
    });
    type Row = { metric: string; threshold: number };
    const result = await server.deps.database.db.execute<Row>(
      sql`select metric, threshold from usage_notices where org_id = ${team.orgId}::uuid order by threshold`,
    );
    const notices = rowsOf<Row>(result);
    expect(notices).toEqual([
      { metric: "replays", threshold: 90 },
      { metric: "replays", threshold: 100 },
    ]);
  });

  it("takes unlimited replays when the limit is 0", async () => {
    const team = await createOrgWithRoles(server.deps);
    for (let i = 0; i < 5; i++) await consumeReplay(server.deps, team.orgId);
    expect((await callerFor(server.deps, team.viewer).usage.get({ orgId: team.orgId })).replays).toEqual({
      used: 5,
      limit: 0,
    });
  });
});
