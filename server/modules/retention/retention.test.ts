import { sql } from "drizzle-orm";
import { rowsOf } from "../../infra/db.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingest } from "../ingest/ingest.ts";
import { applyRetention } from "./service.ts";
import type { RunningServer } from "../../server.ts";
import { callerFor, createUser } from "../../../tests/helpers/factories.ts";
import { startTestServer } from "../../../tests/helpers/server.ts";

const uid = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

function runWithSpans(startedAt: string, spans: number, conversationId?: string) {
  const runId = uid("run");
  return {
    runId,
    items: [
      { type: "run", id: runId, name: "agent", startedAt, status: "success", conversationId },
      ...Array.from({ length: spans }, () => ({ type: "span", id: uid("span"), runId, name: "step", startedAt })),
    ],
  };
}

describe("retention", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { RETENTION_DAYS: "30" } });
  });
  afterAll(() => server.shutdown());

  const count = async (table: "runs" | "spans" | "conversations", orgId: string) => {
    const result = await server.deps.database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from ${sql.raw(table)} where org_id = ${orgId}::uuid`,
    );
    return Number(rowsOf<{ n: number }>(result)[0]!.n);
  };

  it("deletes runs, spans and emptied conversations past the retention, in batches, and keeps the rest", async () => {
    const user = await createUser(server.deps, "retention");
    const orgId = user.orgId;
    const chat = uid("chat");
    const mixed = uid("chat");
    const old = [
      runWithSpans(daysAgo(40), 25, chat),
      runWithSpans(daysAgo(35), 12, mixed),
      runWithSpans(daysAgo(31), 8),
    ];
    const recent = [runWithSpans(daysAgo(2), 5, mixed), runWithSpans(daysAgo(29), 3)];
    for (const r of [...old, ...recent]) await ingest(server.deps, orgId, r.items);
    expect(await count("spans", orgId)).toBe(53);
    expect(await count("conversations", orgId)).toBe(2);

    const result = await applyRetention(server.deps, { batchSize: 10, orgIds: [orgId] });
    expect(result).toMatchObject({ orgs: 1, runs: 3, spans: 45, conversations: 1 });
    // 45 spans at 10 a statement: 5 deletes; 3 runs: 1. Each a statement of its own.
    expect(result.statements).toBe(6);
    expect(await count("runs", orgId)).toBe(2);
    expect(await count("spans", orgId)).toBe(8);
    const runs = await callerFor(server.deps, user).runs.list({ orgId });
    expect(runs.items.map((r) => r.id).sort()).toEqual(recent.map((r) => r.runId).sort());
    const conversations = await callerFor(server.deps, user).conversations.list({ orgId });
    expect(conversations.items).toHaveLength(1);
    expect(conversations.items[0]).toMatchObject({ id: mixed, runCount: 1 });

    // A second pass has nothing left to do.
    expect(await applyRetention(server.deps, { batchSize: 10, orgIds: [orgId] })).toMatchObject({ runs: 0, spans: 0 });
  });

  it("follows each organisation's own retention, and keeps everything at 0", async () => {
    const [keepAll, short] = await Promise.all([createUser(server.deps, "keep"), createUser(server.deps, "short")]);
    await callerFor(server.deps, keepAll).usage.updateLimits({
      orgId: keepAll.orgId,
      spansLimit: null,
      replaysLimit: null,
      retentionDays: 0,
    });
    await callerFor(server.deps, short).usage.updateLimits({
      orgId: short.orgId,
      spansLimit: null,
      replaysLimit: null,
      retentionDays: 7,
    });
    for (const orgId of [keepAll.orgId, short.orgId]) {
      await ingest(server.deps, orgId, runWithSpans(daysAgo(400), 2).items);
      await ingest(server.deps, orgId, runWithSpans(daysAgo(10), 2).items);
      await ingest(server.deps, orgId, runWithSpans(daysAgo(1), 2).items);
    }
    await applyRetention(server.deps, { orgIds: [keepAll.orgId, short.orgId] });
    expect(await count("runs", keepAll.orgId)).toBe(3);
    expect(await count("runs", short.orgId)).toBe(1);
  });
});
