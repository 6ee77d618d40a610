import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberships } from "../../db/schema.ts";
import type { RunningServer } from "../../server/server.ts";
import { createOrg } from "../../server/modules/orgs/service.ts";
import { type TestUser, callerFor, codeOf, createUser, joinOrg } from "../helpers/factories.ts";
import { TEST_DATABASE_URL } from "../helpers/env.ts";
import { startTestServer } from "../helpers/server.ts";

const ROUNDS = 20;

/**
 * "An organisation keeps at least one owner" under concurrency: on PostgreSQL the two calls of a round run on
 * two connections at once; on PGlite (one connection) they interleave between statements.
 */
describe(`the owner rule under concurrency (${TEST_DATABASE_URL ? "PostgreSQL" : "PGlite"})`, () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.shutdown());

  let a: TestUser;
  let b: TestUser;
  beforeAll(async () => {
    [a, b] = await Promise.all([createUser(server.deps, "owner-a"), createUser(server.deps, "owner-b")]);
  });

  /** A new organisation of the same two signed-in people, both owners. */
  async function twoOwners() {
    const org = await createOrg(server.deps, a, "two owners");
    await server.deps.database.db.insert(memberships).values({ orgId: org.id, userId: b.userId, role: "owner" });
    return { orgId: org.id, a, b };
  }

  async function rolesIn(orgId: string) {
    const rows = await server.deps.database.db
      .select({ role: memberships.role })
      .from(memberships)
      .where(eq(memberships.orgId, orgId));
    return rows.map((r) => r.role);
  }

  it(`two owners demoting themselves at once leave one owner, ${ROUNDS} rounds out of ${ROUNDS}`, async () => {
    const outcomes: string[] = [];
    let kept = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { orgId, a, b } = await twoOwners();
      const results = await Promise.all(
        [a, b].map((who) =>
          codeOf(callerFor(server.deps, who).orgs.changeRole({ orgId, userId: who.userId, role: "admin" })),
        ),
      );
      outcomes.push(...results.map((r) => r.split(":")[0]!));
      const owners = (await rolesIn(orgId)).filter((r) => r === "owner").length;
      if (owners >= 1) kept++;
    }
    console.log(`self-demotions: ${kept}/${ROUNDS} rounds kept an owner; calls: ${tally(outcomes)}`);
    expect(kept).toBe(ROUNDS);
    // Each round one demotion went through and the other was refused for the rule.
    expect(outcomes.filter((o) => o === "OK")).toHaveLength(ROUNDS);
    expect(outcomes.filter((o) => o === "CONFLICT")).toHaveLength(ROUNDS);
  });

  it(`two owners removing each other at once leave one owner, ${ROUNDS} rounds out of ${ROUNDS}`, async () => {
    const outcomes: string[] = [];
    let kept = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { orgId, a, b } = await twoOwners();
      const results = await Promise.all([
        codeOf(callerFor(server.deps, a).orgs.removeMember({ orgId, userId: b.userId })),
        codeOf(callerFor(server.deps, b).orgs.removeMember({ orgId, userId: a.userId })),
      ]);
      outcomes.push(...results.map((r) => r.split(":")[0]!));
      const roles = await rolesIn(orgId);
      if (roles.filter((r) => r === "owner").length >= 1) kept++;
    }
    console.log(`mutual removals: ${kept}/${ROUNDS} rounds kept an owner; calls: ${tally(outcomes)}`);
    expect(kept).toBe(ROUNDS);
    expect(outcomes.filter((o) => o === "OK")).toHaveLength(ROUNDS);
  });

  it("revokes the API keys a member created when the member is removed, and audit-logs each", async () => {
    const { orgId, a } = await twoOwners();
    const member = await joinOrg(server.deps, await createUser(server.deps, "keymaker"), orgId, "member");
    const { key } = await callerFor(server.deps, member).apiKeys.create({ orgId, name: "laptop", scope: "ingest" });
    const { key: ownersKey } = await callerFor(server.deps, a).apiKeys.create({ orgId, name: "ci", scope: "ingest" });
    const whoami = (k: string) => fetch(`${server.url}/api/v1/whoami`, { headers: { "x-api-key": k } });
    // Used once, so the key sits in the lookup cache when its creator is removed.
    expect((await whoami(key)).status).toBe(200);

    await callerFor(server.deps, a).orgs.removeMember({ orgId, userId: member.userId });

    const refused = await whoami(key);
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain("revoked");
    expect((await whoami(ownersKey)).status).toBe(200);
    const audit = await callerFor(server.deps, a).audit.list({ orgId });
    expect(audit.items.find((e) => e.action === "api_key.revoked")).toMatchObject({
      target: "laptop",
      metadata: expect.objectContaining({ reason: "creator removed from the organisation" }),
    });
    const left = await server.deps.database.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, member.userId)));
    expect(left).toEqual([]);
  });
});

function tally(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ${n}`).join(", ");
}
