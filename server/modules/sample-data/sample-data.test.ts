import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversations, replays, runs, spans } from "../../../db/schema.ts";
import type { RunningServer } from "../../server.ts";
import { ingest } from "../ingest/ingest.ts";
import { followRuns, runsLiveMessages } from "../runs/events.ts";
import { callerFor, codeOf, createOrgWithRoles, createUser } from "../../../tests/helpers/factories.ts";
import { startTestServer } from "../../../tests/helpers/server.ts";

describe("sample data", () => {
  let server: RunningServer;
  let team: Awaited<ReturnType<typeof createOrgWithRoles>>;
  const db = () => server.deps.database.db;
  const runsOf = (orgId: string) => db().select().from(runs).where(eq(runs.orgId, orgId));

  beforeAll(async () => {
    server = await startTestServer();
    team = await createOrgWithRoles(server.deps);
  });
  afterAll(() => server.shutdown());

  it("is loaded and removed by admins and owners only; members and viewers only see whether it is there", async () => {
    const orgId = team.orgId;
    for (const who of [team.member, team.viewer]) {
      const caller = callerFor(server.deps, who);
      expect(await codeOf(caller.sampleData.load({ orgId }))).toMatch(/^FORBIDDEN/);
      expect(await codeOf(caller.sampleData.remove({ orgId }))).toMatch(/^FORBIDDEN/);
    }
    expect(await callerFor(server.deps, team.viewer).sampleData.status({ orgId })).toEqual({ runs: 0 });
    const stranger = await createUser(server.deps, "stranger");
    expect(await codeOf(callerFor(server.deps, stranger).sampleData.load({ orgId }))).toMatch(/^FORBIDDEN/);
    expect(await runsOf(orgId)).toEqual([]);
  });

  it("loads a day of marked runs once, with failures worth a fix, free of the usage limits; removal leaves the rest", async () => {
    const orgId = team.orgId;
    const admin = callerFor(server.deps, team.admin);
    // The organisation's own run, a run of its own tagged "sample", and another organisation's runs.
    const other = await createUser(server.deps, "other");
    const own = [
      { type: "run", id: "own-run", name: "my-agent", startedAt: new Date().toISOString(), status: "success" },
      { type: "run", id: "own-tagged", name: "my-agent", startedAt: new Date().toISOString(), tags: ["sample"] },
      {
        type: "span",
        id: "own-span",
        runId: "own-run",
        name: "step",
        kind: "llm",
        startedAt: new Date().toISOString(),
      },
    ];
    await ingest(server.deps, orgId, own);
    await ingest(server.deps, other.orgId, own);
    const usageBefore = await admin.usage.get({ orgId });
    // Where a Runs page opened now would start following the live log.
    const { eventId } = await admin.runs.list({ orgId });

    // Two loads at once: one plays the day, the other is told so; a later load adds nothing.
    const [first, second] = await Promise.allSettled([
      admin.sampleData.load({ orgId }),
      callerFor(server.deps, team.owner).sampleData.load({ orgId }),
    ]);
    const loaded = [first, second].filter((r) => r.status === "fulfilled");
    expect(loaded).toHaveLength(1);
    const refused = [first, second].find((r) => r.status === "rejected")!;
    expect(await codeOf(Promise.reject(refused.reason as Error))).toMatch(
      /^CONFLICT: Sample data is already being loaded/,
    );
    const status = (loaded[0] as PromiseFulfilledResult<{ runs: number }>).value;
    expect(status.runs).toBeGreaterThanOrEqual(30);
    expect(await admin.sampleData.load({ orgId })).toEqual(status);

    const all = await runsOf(orgId);
    const samples = all.filter((r) => r.tags.includes("sample") && r.metadata.sample === true);
    expect(samples).toHaveLength(status.runs);
    expect(all).toHaveLength(status.runs + 2);
    expect(new Set(samples.map((r) => r.name))).toEqual(
      new Set(["support-triage", "research-digest", "refund-agent", "support-chat", "inbox-digest"]),
    );
    const failedTriage = samples.find((r) => r.name === "support-triage" && r.status === "error");
    expect(failedTriage?.workflowVersionId).toBeTruthy();
    expect(samples.filter((r) => r.conversationId).every((r) => r.conversationId!.startsWith("sample-"))).toBe(true);
    const sampleSpans = await db().$count(spans, eq(spans.orgId, orgId));
    expect(sampleSpans).toBeGreaterThan(status.runs);

    const usageAfter = await admin.usage.get({ orgId });
    expect(usageAfter.spans.used).toBe(usageBefore.spans.used);
    expect(usageAfter.spans.used).toBe(1);

    // A replay of a sample run (recorded by an SDK runtime), and a run of the organisation's own that joined a
    // sample chat's conversation.
    const chat = samples.find((r) => r.conversationId)!;
    await ingest(server.deps, orgId, [
      {
        type: "run",
        id: "replay-of-sample",
        name: "support-triage",
        startedAt: new Date().toISOString(),
        status: "success",
        replayOf: failedTriage!.id,
        replayFromStep: "order",
      },
      {
        type: "span",
        id: "replay-span",
        runId: "replay-of-sample",
        name: "order",
        startedAt: new Date().toISOString(),
      },
      {
        type: "run",
        id: "own-chat-turn",
        name: "support-chat",
        startedAt: new Date().toISOString(),
        conversationId: chat.conversationId,
      },
    ]);
    expect(await db().$count(replays, eq(replays.orgId, orgId))).toBe(1);

    const removed = await callerFor(server.deps, team.owner).sampleData.remove({ orgId });
    expect(removed.runs).toBe(status.runs + 1);
    expect(removed.spans).toBe(sampleSpans - 1 + 1);
    expect(removed.conversations).toBeGreaterThanOrEqual(1);

    const left = await runsOf(orgId);
    expect(left.map((r) => r.id).sort()).toEqual(["own-chat-turn", "own-run", "own-tagged"]);
    expect(await db().$count(spans, eq(spans.orgId, orgId))).toBe(1);
    expect(await db().$count(replays, eq(replays.orgId, orgId))).toBe(0);
    const kept = await db().select().from(conversations).where(eq(conversations.orgId, orgId));
    expect(kept.map((c) => [c.id, c.runCount])).toEqual([[chat.conversationId, 1]]);
    expect(await admin.sampleData.status({ orgId })).toEqual({ runs: 0 });
    // A live view resuming from before the load replays the sample runs' entries, then is told to reload.
    const seen: string[] = [];
    for await (const { id, batch } of followRuns(server.deps, orgId, eventId, AbortSignal.timeout(10_000))) {
      seen.push(...runsLiveMessages(id, batch).map((m) => m.event.type));
      if (seen.includes("reset")) break;
    }
    expect(seen.at(-1)).toBe("reset");
    expect(seen).toContain("runs");
    expect(await runsOf(other.orgId)).toHaveLength(2);
    expect(await admin.sampleData.remove({ orgId })).toEqual({ runs: 0, spans: 0, conversations: 0 });
    // Only the organisation's own spans were ever counted: the first one and the replay's.
    expect((await admin.usage.get({ orgId })).spans.used).toBe(2);
    expect(await db().$count(runs, and(eq(runs.orgId, orgId), sql`${runs.tags} @> array['sample']::text[]`))).toBe(1);
  }, 180_000);
});
