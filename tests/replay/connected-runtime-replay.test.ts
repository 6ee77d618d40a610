import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkflowDefinitionInput } from "@shared/workflow/define.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, codeOf, createOrgWithRoles } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { spawnRuntime, type SpawnedRuntime } from "../runtimes/spawn-runtime.ts";
import { fullKey, recordRun, replay } from "./helpers.ts";

const workflow: WorkflowDefinitionInput = {
  name: "lookup-and-answer",
  steps: [
    { id: "plan", type: "llm", model: "echos/sim", prompt: "Plan a lookup for {{input.q}}" },
    { id: "lookup", type: "tool", tool: "echo", args: { q: "{{input.q}}", plan: "{{steps.plan.output}}" } },
    { id: "answer", type: "llm", model: "echos/sim", prompt: "Answer from {{steps.lookup.output.by}}" },
  ],
};

describe("replays that need the user's own tools", () => {
  let server: RunningServer;
  let team: Awaited<ReturnType<typeof createOrgWithRoles>>;
  let key: string;
  let runId: string;
  let runtime: SpawnedRuntime | null = null;

  beforeAll(async () => {
    server = await startTestServer();
    team = await createOrgWithRoles(server.deps);
    key = await fullKey(server.deps, team.owner);
    runId = await recordRun(
      server.url,
      key,
      workflow,
      { q: "order 9" },
      {
        tools: { echo: (args) => ({ args, by: "recording" }) },
      },
    );
  });
  afterAll(async () => {
    await runtime?.kill();
    await server.shutdown();
  });

  it("says which tool has no connected runtime, and the plan shows it", async () => {
    const plan = await callerFor(server.deps, team.viewer).replays.plan({ orgId: team.orgId, runId });
    expect(plan.mode === "workflow" && plan.steps.find((s) => s.id === "lookup")).toMatchObject({
      needsRuntime: true,
      runtimeConnected: false,
    });
    const { result } = await replay(server.deps, team.member, {
      mode: "workflow",
      runId,
      forkStep: "plan",
      policies: { lookup: "live" },
    });
    expect(result.steps.find((s) => s.stepId === "lookup")!.replay!.error).toMatch(
      /^No connected runtime has the tool "echo"/,
    );
  });

  it("runs a live tool step in the user's runtime, in another process", async () => {
    runtime = spawnRuntime({ url: server.url, key, label: "worker-7", tools: "echo" });
    await runtime.waitForLine(/^connected /);
    const plan = await callerFor(server.deps, team.viewer).replays.plan({ orgId: team.orgId, runId });
    expect(plan.mode === "workflow" && plan.steps.find((s) => s.id === "lookup")?.runtimeConnected).toBe(true);
    const { result } = await replay(server.deps, team.member, {
      mode: "workflow",
      runId,
      forkStep: "plan",
      overrides: { plan: { prompt: "Plan a careful lookup for {{input.q}}" } },
      policies: { lookup: "live" },
    });
    const lookup = result.steps.find((s) => s.stepId === "lookup")!;
    expect(lookup).toMatchObject({ policy: "live", changed: true });
    expect(lookup.replay!.output).toMatchObject({ by: "worker-7", stepId: "lookup", args: { q: "order 9" } });
    expect(result.run.status).toBe("success");
  });

  it("enforces the organisation's replay limit with a clear message", async () => {
    const owner = callerFor(server.deps, team.owner);
    const used = (await owner.usage.get({ orgId: team.orgId })).replays.used;
    await owner.usage.updateLimits({ orgId: team.orgId, spansLimit: null, replaysLimit: used, retentionDays: null });
    const caller = callerFor(server.deps, team.member);
    const { token } = await caller.replays.token({ orgId: team.orgId, runId });
    expect(
      await codeOf(
        caller.replays.start({ orgId: team.orgId, token, request: { mode: "workflow", runId, forkStep: "answer" } }),
      ),
    ).toMatch(new RegExp(`^TOO_MANY_REQUESTS: Monthly replay limit reached: ${used} of ${used} used; it resets at `));
    await owner.usage.updateLimits({ orgId: team.orgId, spansLimit: null, replaysLimit: 0, retentionDays: null });
  });
});
