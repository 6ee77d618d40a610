import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replays } from "../../db/schema.ts";
import type { WorkflowDefinitionInput } from "@shared/workflow/define.ts";
import { ingest } from "../../server/modules/ingest/ingest.ts";
import { INTERRUPTED, finishInterruptedReplays } from "../../server/modules/replay/interrupted.ts";
import { followReplay } from "../../server/modules/replay/stream.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createOrgWithRoles } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { fullKey, recordRun, replayEvents } from "./helpers.ts";

const slow: WorkflowDefinitionInput = {
  name: "slow-one",
  steps: [
    { id: "a", type: "llm", model: "echos/sim", prompt: "First {{input.x}}" },
    { id: "b", type: "llm", model: "echos/sim", prompt: "Second {{steps.a.output}}", latencyMs: 1500 },
  ],
};

describe("replays whose server stopped", () => {
  let server: RunningServer;
  let team: Awaited<ReturnType<typeof createOrgWithRoles>>;

  beforeAll(async () => {
    server = await startTestServer();
    team = await createOrgWithRoles(server.deps);
  });
  afterAll(() => server.shutdown());

  it("are ended as interrupted, spans and followers included, while live replays are left alone", async () => {
    const runId = await recordRun(server.url, await fullKey(server.deps, team.owner), slow, { x: "y" });
    // A replay left behind by an instance that died: its rows say running, nobody keeps it alive.
    const orphan = `orphan-${Math.random().toString(36).slice(2, 10)}`;
    const startedAt = new Date(Date.now() - 120_000).toISOString();
    await server.deps.database.db.insert(replays).values({
      orgId: team.orgId,
      id: orphan,
      parentRunId: runId,
      rootRunId: runId,
      mode: "workflow",
      forkStep: "b",
      createdAt: new Date(startedAt),
    });
    await ingest(server.deps, team.orgId, [
      { type: "run", id: orphan, name: "slow-one", startedAt, status: "running", replayOf: runId, replayFromStep: "b" },
      { type: "span", id: `${orphan}-b`, runId: orphan, name: "b", kind: "llm", startedAt, status: "running" },
    ]);
    // A replay running right now on this instance.
    const caller = callerFor(server.deps, team.member);
    const { token } = await caller.replays.token({ orgId: team.orgId, runId });
    const { replayId: live } = await caller.replays.start({
      orgId: team.orgId,
      token,
      request: { mode: "workflow", runId, forkStep: "b" },
    });

    // Judged a minute from now, both are old enough to be candidates; only the orphan has no heartbeat.
    expect(await finishInterruptedReplays(server.deps, Date.now() + 60_000)).toBe(1);
    const orphaned = await caller.runs.get({ orgId: team.orgId, runId: orphan });
    expect(orphaned.run).toMatchObject({ status: "error", error: INTERRUPTED, verdict: "interrupted" });
    expect(orphaned.spans).toMatchObject([{ id: `${orphan}-b`, status: "error" }]);
    const events = [];
    for await (const { event } of followReplay(server.deps, team.orgId, orphan, null, AbortSignal.timeout(5000)))
      events.push(event);
    expect(events).toEqual([{ type: "finished", status: "error", error: INTERRUPTED }]);

    const liveEvents = await replayEvents(server.deps, team.orgId, live);
    expect(liveEvents.at(-1)).toEqual({ type: "finished", status: "success", error: null });
    // Finishing again changes nothing.
    expect(await finishInterruptedReplays(server.deps, Date.now() + 60_000)).toBe(0);
    expect((await caller.runs.get({ orgId: team.orgId, runId: live })).run.status).toBe("success");
  });
});
