import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkflowDefinitionInput } from "@shared/workflow/define.ts";
import type { RunningServer } from "../../server/server.ts";
import { createInnerContext } from "../../server/trpc/context.ts";
import { createCaller } from "../../server/trpc/router.ts";
import { callerFor, createOrgWithRoles } from "../helpers/factories.ts";
import { startOpenAiServer } from "../helpers/openai-server.ts";
import { startTestServer } from "../helpers/server.ts";
import { fullKey, recordRun, replayEvents } from "../replay/helpers.ts";

/** A recorded workflow and its server-side replay, both calling a model only the organisation has a price for. */
describe("pricing of recorded runs and server replays", () => {
  let server: RunningServer;
  let provider: Awaited<ReturnType<typeof startOpenAiServer>>;
  let team: Awaited<ReturnType<typeof createOrgWithRoles>>;

  beforeAll(async () => {
    provider = await startOpenAiServer(() => "One two three four five six seven eight nine ten");
    server = await startTestServer({ env: { HTTP_ALLOW_CIDRS: "127.0.0.0/8" } });
    team = await createOrgWithRoles(server.deps);
  });
  afterAll(async () => {
    await server.shutdown();
    await provider.close();
  });

  it("prices the recorded calls and the replay's live step at the organisation's price, and streams that cost", async () => {
    await callerFor(server.deps, team.admin).modelPrices.save({
      orgId: team.orgId,
      pattern: "house-*",
      inputUsdPerMillion: 100,
      outputUsdPerMillion: 1_000,
    });
    const workflow: WorkflowDefinitionInput = {
      name: "priced-house-model",
      steps: [
        {
          id: "understand",
          type: "llm",
          model: "house-model",
          baseUrl: provider.url,
          prompt: "Summarise: {{input.t}}",
        },
        { id: "answer", type: "llm", model: "house-model", baseUrl: provider.url, prompt: "Reply: {{input.t}}" },
      ],
    };
    const runId = await recordRun(
      server.url,
      await fullKey(server.deps, team.owner),
      workflow,
      { t: "Refund for order 42" },
      { credentials: { OPENAI_API_KEY: "sk-recording" } },
    );
    // The provider reports 40 prompt tokens and one completion token per word (10): 40 × $100 + 10 × $1,000 a million.
    const perCall = 0.014;
    const caller = callerFor(server.deps, team.member);
    const recorded = await caller.runs.get({ orgId: team.orgId, runId });
    expect(recorded.run.unpricedCount).toBe(0);
    expect(recorded.run.costUsd).toBeCloseTo(2 * perCall, 12);

    const withCredential = createCaller(
      createInnerContext(server.deps, {
        session: team.member.session,
        credentials: new Map([["OPENAI_API_KEY", "sk-replay"]]),
      }),
    );
    const { token } = await withCredential.replays.token({ orgId: team.orgId, runId });
    const { replayId } = await withCredential.replays.start({
      orgId: team.orgId,
      token,
      request: { mode: "workflow", runId, forkStep: "answer" },
    });
    const events = await replayEvents(server.deps, team.orgId, replayId);
    const streamed = events.flatMap((e) =>
      e.type === "step" && e.stepId === "answer" && e.snapshot.status !== "running" ? [e.snapshot.costUsd] : [],
    );
    expect(streamed).toHaveLength(1);
    expect(streamed[0]).toBeCloseTo(perCall, 12);
    const result = await withCredential.replays.get({ orgId: team.orgId, replayId });
    const answer = result.steps.find((s) => s.stepId === "answer")!;
    expect(answer.replay!.costUsd).toBeCloseTo(perCall, 12);
    // The recorded step cost nothing in the replay; only the live one counts.
    expect(result.run).toMatchObject({ unpricedCount: 0 });
    expect(result.run.costUsd).toBeCloseTo(perCall, 12);
  });
});
