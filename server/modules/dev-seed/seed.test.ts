import { and, eq, isNotNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeys, runs, spans, workflowVersions } from "../../../db/schema.ts";
import { type DemoRunsResult, seedDemoRuns } from "./demo-runs.ts";
import type { RunningServer } from "../../server.ts";
import { createUser, type TestUser } from "../../../tests/helpers/factories.ts";
import { startTestServer } from "../../../tests/helpers/server.ts";

describe("demo data", () => {
  let server: RunningServer;
  let user: TestUser;
  let seeded: DemoRunsResult;
  const seed = () =>
    seedDemoRuns(server.deps, {
      apiUrl: server.url,
      orgId: user.orgId,
      actor: { userId: user.userId, email: user.email },
    });

  beforeAll(async () => {
    server = await startTestServer();
    user = await createUser(server.deps, "demo");
    seeded = (await seed())!;
  }, 60_000);
  afterAll(() => server.shutdown());

  it("records a day of runs from several workflows through the public API, some of them failed", async () => {
    const db = server.deps.database.db;
    const rows = await db.select().from(runs).where(eq(runs.orgId, user.orgId));
    expect(rows.length).toBe(seeded.runs);
    expect(rows.length).toBeGreaterThanOrEqual(30);
    expect(rows.filter((r) => r.status === "error").length).toBe(seeded.failed);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(["success", "error"]));
    const hours = new Set(rows.map((r) => Math.floor(r.startedAt.getTime() / 3_600_000)));
    expect(hours.size).toBeGreaterThan(12);
    const oldest = Math.min(...rows.map((r) => r.startedAt.getTime()));
    expect(Date.now() - oldest).toBeLessThan(24 * 3_600_000);
    expect(rows.every((r) => r.endedAt && r.endedAt.getTime() >= r.startedAt.getTime())).toBe(true);

    const versions = await db.select().from(workflowVersions).where(eq(workflowVersions.orgId, user.orgId));
    expect(versions.length).toBeGreaterThanOrEqual(3);
    expect(versions.length).toBe(seeded.workflows);
  });

  it("holds conversations whose LLM spans carry the chat so far, turn by turn", async () => {
    const db = server.deps.database.db;
    const chatRuns = await db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), isNotNull(runs.conversationId)));
    const byConversation = new Map<string, typeof chatRuns>();
    for (const run of chatRuns)
      byConversation.set(run.conversationId!, [...(byConversation.get(run.conversationId!) ?? []), run]);
    const multiTurn = [...byConversation.values()].filter((turns) => turns.length >= 2);
    expect(multiTurn.length).toBeGreaterThanOrEqual(2);

    const turns = multiTurn[0]!.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
    const last = turns.at(-1)!;
    const [reply] = await db
      .select()
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.runId, last.id), eq(spans.kind, "llm")));
    const messages = (reply!.input as { messages: { role: string; content: string }[] }).messages;
    expect(messages.map((m) => m.role)).toEqual([
      "system",
      ...turns.slice(0, -1).flatMap(() => ["user", "assistant"]),
      "user",
    ]);
    expect(messages.filter((m) => m.role === "user").map((m) => m.content)).toEqual(
      turns.map((t) => (t.input as { message: string }).message),
    );
  });

  it("gives LLM spans token counts and real durations, nests traced spans, and revokes the key it used", async () => {
    const db = server.deps.database.db;
    const llm = await db
      .select()
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.kind, "llm")));
    expect(llm.length).toBeGreaterThan(0);
    expect(llm.every((s) => (s.inputTokens ?? 0) > 0 && (s.outputTokens ?? 0) > 0)).toBe(true);
    expect(llm.every((s) => s.endedAt!.getTime() - s.startedAt.getTime() >= 100)).toBe(true);
    const traced = await db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.name, "inbox-digest")));
    const digest = traced.find((r) => r.status === "success");
    const nested = await db
      .select()
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.runId, digest!.id), isNotNull(spans.parentId)));
    expect(nested.length).toBeGreaterThan(0);
    const keys = await db.select().from(apiKeys).where(eq(apiKeys.orgId, user.orgId));
    expect(keys.map((k) => k.revokedAt)).toEqual([expect.any(Date)]);
  });

  it("adds nothing to an organisation that already has runs", async () => {
    expect(await seed()).toBeNull();
    expect(await server.deps.database.db.$count(runs, eq(runs.orgId, user.orgId))).toBe(seeded.runs);
  });
});
