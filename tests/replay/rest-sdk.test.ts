import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReplayResult, ZReplayAccepted, ZReplayResult } from "@shared/schemas/replay.ts";
import type { WorkflowDefinitionInput } from "@shared/workflow/define.ts";
import { EchosRuntime } from "../../sdk/runtime.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createOrgWithRoles, createUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { fullKey, recordRun } from "./helpers.ts";
import { ZErrorBody } from "@shared/schemas/errors.ts";

const workflow: WorkflowDefinitionInput = {
  name: "rest-replay",
  steps: [
    { id: "lookup", type: "tool", tool: "lookup", args: { id: "{{input.id}}" } },
    { id: "answer", type: "llm", model: "echos/sim", prompt: "Explain order {{steps.lookup.output.status}}" },
    { id: "notify", type: "tool", tool: "notify", args: { text: "{{steps.answer.output}}" }, sideEffects: true },
  ],
};

describe("replays for scripts: REST with a full API key, and runtime.replay() in the SDK", () => {
  let server: RunningServer;
  let team: Awaited<ReturnType<typeof createOrgWithRoles>>;
  let key: string;
  let runId: string;
  const calls: Record<string, unknown[]> = { lookup: [], notify: [] };
  const tools = {
    lookup: (args: unknown) => (calls.lookup!.push(args), { status: "delayed in customs" }),
    notify: (args: unknown) => (calls.notify!.push(args), { sent: true }),
  };

  beforeAll(async () => {
    server = await startTestServer();
    team = await createOrgWithRoles(server.deps);
    key = await fullKey(server.deps, team.owner);
    runId = await recordRun(server.url, key, workflow, { id: "A-1" }, { tools });
    calls.lookup!.length = 0;
    calls.notify!.length = 0;
  });
  afterAll(() => server.shutdown());

  const post = (path: string, body: unknown, apiKey = key) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": apiKey },
      body: JSON.stringify(body),
    });

  it("starts a replay over REST and reads its result", async () => {
    const started = await post(`/api/v1/runs/${runId}/replays`, {
      forkStep: "answer",
      overrides: { answer: { prompt: "Apologise for order {{steps.lookup.output.status}}" } },
    });
    expect(started.status).toBe(202);
    const { replayId } = ZReplayAccepted.parse(await started.json());
    let result: ReplayResult;
    for (;;) {
      const res = await fetch(`${server.url}/api/v1/replays/${replayId}`, { headers: { "x-api-key": key } });
      expect(res.status).toBe(200);
      result = ZReplayResult.parse(await res.json());
      if (result.run.status !== "running") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(result.run).toMatchObject({ status: "success", error: null, spanCount: 3 });
    expect(result.firstDivergence).toBe("answer");
    expect(result.steps.map((s) => [s.stepId, s.policy])).toEqual([
      ["lookup", "recorded"],
      ["answer", "live"],
      ["notify", "recorded"],
    ]);
  });

  it("waits for the result with ?wait=true", async () => {
    const res = await post(`/api/v1/runs/${runId}/replays?wait=true`, { forkStep: "answer" });
    expect(res.status).toBe(200);
    const result = ZReplayResult.parse(await res.json());
    expect(result.run.status).toBe("success");
    expect(result.firstDivergence).toBeNull();
  });

  it("refuses ingest-only keys, unknown runs and bad requests with readable reasons", async () => {
    const { key: ingestKey } = await callerFor(server.deps, team.owner).apiKeys.create({
      orgId: team.orgId,
      name: "ingest",
      scope: "ingest",
    });
    const refused = await post(`/api/v1/runs/${runId}/replays`, { forkStep: "answer" }, ingestKey);
    expect(refused.status).toBe(403);
    expect(ZErrorBody.parse(await refused.json()).message).toMatch(/ingest-only/);
    const other = await createUser(server.deps, "other");
    const otherKey = await fullKey(server.deps, other);
    expect((await post(`/api/v1/runs/${runId}/replays`, { forkStep: "answer" }, otherKey)).status).toBe(404);
    const bad = await post(`/api/v1/runs/${runId}/replays`, { forkStep: 42 });
    expect(bad.status).toBe(400);
  });

  it("replays locally with runtime.replay(): recorded steps from Echos, the fork with the user's own tools", async () => {
    const runtime = new EchosRuntime({ apiKey: key, apiUrl: server.url, tools });
    const result = await runtime.replay(runId, {
      forkStep: "answer",
      overrides: { answer: { prompt: "Reassure about order {{steps.lookup.output.status}}" } },
      label: "local",
    });
    await runtime.flush();
    expect(calls.lookup).toEqual([]); // recorded
    expect(calls.notify).toEqual([]); // side effect, kept recorded
    expect(result.comparison.firstDivergence).toBe("answer");
    expect(result.steps.lookup).toMatchObject({ policy: "recorded", output: { status: "delayed in customs" } });
    // Echos holds it as a replay of the run, in the same fork tree as server-side replays.
    const forks = await callerFor(server.deps, team.viewer).replays.forks({ orgId: team.orgId, runId });
    expect(forks.find((f) => f.runId === result.runId)).toMatchObject({
      parentRunId: runId,
      forkStep: "answer",
      label: "local",
    });
    const stored = await callerFor(server.deps, team.viewer).replays.get({ orgId: team.orgId, replayId: result.runId });
    expect(stored.replay.executor).toBe("sdk");
    expect(stored.firstDivergence).toBe("answer");
  });

  it("switches a side-effect tool live when asked", async () => {
    const runtime = new EchosRuntime({ apiKey: key, apiUrl: server.url, tools });
    await runtime.replay(runId, { forkStep: "answer", policies: { notify: "live" } });
    await runtime.flush();
    expect(calls.notify).toHaveLength(1);
  });
});
