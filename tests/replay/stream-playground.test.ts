import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReplayEvent } from "@shared/schemas/replay.ts";
import type { WorkflowDefinitionInput } from "@shared/workflow/define.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createOrgWithRoles } from "../helpers/factories.ts";
import { messages, openSubscription } from "../helpers/sse.ts";
import { startTestServer } from "../helpers/server.ts";
import { fullKey, recordRun, replay } from "./helpers.ts";

const slow: WorkflowDefinitionInput = {
  name: "slow-sim",
  steps: ["one", "two", "three", "four"].map((id) => ({
    id,
    type: "llm" as const,
    model: "echos/sim",
    prompt: `Step ${id} about {{input.topic}}`,
    latencyMs: 250,
  })),
};

describe("the replay stream and the playground", () => {
  let server: RunningServer;
  let team: Awaited<ReturnType<typeof createOrgWithRoles>>;
  let key: string;

  beforeAll(async () => {
    server = await startTestServer();
    team = await createOrgWithRoles(server.deps);
    key = await fullKey(server.deps, team.owner);
  });
  afterAll(() => server.shutdown());

  it("streams over SSE and resumes after a dropped connection without losing or repeating events", async () => {
    const runId = await recordRun(server.url, key, slow, { topic: "invoices" });
    const caller = callerFor(server.deps, team.member);
    const { token } = await caller.replays.token({ orgId: team.orgId, runId });
    const { replayId } = await caller.replays.start({
      orgId: team.orgId,
      token,
      request: { mode: "workflow", runId, forkStep: "two", overrides: { two: { prompt: "Step two, reworded" } } },
    });
    const cookie = { cookie: `echos_session=${team.member.token}` };
    const first = await openSubscription(server.url, "replays.stream", { orgId: team.orgId, replayId }, cookie);
    // Drop the connection in the middle of the live step `two`.
    await first.waitFor((e) => e.event === "message" && (JSON.parse(e.data) as ReplayEvent).type === "token");
    first.close();
    const before = messages<ReplayEvent>(first);
    const lastEventId = before.at(-1)!.id!;
    const second = await openSubscription(
      server.url,
      "replays.stream",
      { orgId: team.orgId, replayId, lastEventId },
      cookie,
    );
    await second.waitFor((e) => e.event === "message" && (JSON.parse(e.data) as ReplayEvent).type === "finished", {
      timeoutMs: 15_000,
    });
    second.close();
    const after = messages<ReplayEvent>(second);
    const ids = [...before, ...after].map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Exactly the replay's whole log, in order.
    const { followReplay } = await import("../../server/modules/replay/stream.ts");
    const all: string[] = [];
    for await (const { id } of followReplay(server.deps, team.orgId, replayId, null, undefined)) all.push(id);
    expect(ids).toEqual(all);
    const ends = [...before, ...after].flatMap(({ data }) =>
      data.type === "step" && data.snapshot.status !== "running" ? [[data.stepId, data.policy]] : [],
    );
    expect(ends).toEqual([
      ["one", "recorded"],
      ["two", "live"],
      ["three", "live"],
      ["four", "live"],
    ]);
  });

  it("re-runs one LLM span of a trace with edited messages and compares it with the original", async () => {
    const runId = `trace-${Math.random().toString(36).slice(2, 10)}`;
    const now = new Date().toISOString();
    const res = await fetch(`${server.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify({
        items: [
          { type: "run", id: runId, name: "chat-handler", status: "success", startedAt: now, endedAt: now },
          {
            type: "span",
            id: `${runId}-llm`,
            runId,
            name: "chat gpt-4o",
            kind: "llm",
            status: "success",
            startedAt: now,
            endedAt: now,
            model: "gpt-4o",
            input: [
              { role: "system", content: "You are terse." },
              { role: "user", content: "Why is my invoice late?" },
            ],
            output: "Because.",
            config: { temperature: 0.9, max_tokens: 50 },
          },
        ],
      }),
    });
    expect(res.status).toBe(207);
    const caller = callerFor(server.deps, team.member);
    const plan = await caller.replays.plan({ orgId: team.orgId, runId });
    expect(plan).toMatchObject({
      mode: "span",
      spans: [
        {
          spanId: `${runId}-llm`,
          model: "gpt-4o",
          temperature: 0.9,
          maxTokens: 50,
          messages: [
            { role: "system", content: "You are terse." },
            { role: "user", content: "Why is my invoice late?" },
          ],
        },
      ],
    });
    const { result, events } = await replay(server.deps, team.member, {
      mode: "span",
      runId,
      spanId: `${runId}-llm`,
      model: "echos/sim",
      messages: [
        { role: "system", content: "You are kind and explain billing delays." },
        { role: "user", content: "Why is my invoice late?" },
      ],
      temperature: 0.3,
    });
    expect(result.replay).toMatchObject({ mode: "span", parentRunId: runId, forkStep: `${runId}-llm` });
    expect(result.steps).toHaveLength(1);
    expect(result.steps[0]).toMatchObject({ stepId: "chat gpt-4o", policy: "live", changed: true });
    expect(result.steps[0]!.original!.output).toBe("Because.");
    expect(typeof result.steps[0]!.replay!.output).toBe("string");
    expect(events.some((e) => e.type === "token")).toBe(true);
  });

  it("offers a workflow run's LLM steps to the playground beside its steps, and re-runs one of them", async () => {
    const runId = await recordRun(server.url, key, slow, { topic: "refunds" });
    const caller = callerFor(server.deps, team.member);
    const plan = await caller.replays.plan({ orgId: team.orgId, runId });
    if (plan.mode !== "workflow") throw new Error(`expected a workflow plan, got ${plan.mode}`);
    expect(plan.steps.map((s) => s.id)).toEqual(["one", "two", "three", "four"]);
    expect(plan.spans.map((s) => [s.name, s.model])).toEqual([
      ["one", "echos/sim"],
      ["two", "echos/sim"],
      ["three", "echos/sim"],
      ["four", "echos/sim"],
    ]);
    expect(plan.spans[1]!.messages).toEqual([{ role: "user", content: "Step two about refunds" }]);
    const { result } = await replay(server.deps, team.member, {
      mode: "span",
      runId,
      spanId: plan.spans[1]!.spanId,
      model: "echos/sim",
      messages: [{ role: "user", content: "Step two about refunds, in French" }],
    });
    expect(result.steps).toHaveLength(1);
    expect(result.steps[0]).toMatchObject({ stepId: "two", policy: "live", changed: true });
  });

  it("refuses a playground run whose last message is not the user's", async () => {
    const runId = await recordRun(server.url, key, slow, { topic: "x" });
    const caller = callerFor(server.deps, team.member);
    const { token } = await caller.replays.token({ orgId: team.orgId, runId });
    const spans = await caller.runs.get({ orgId: team.orgId, runId });
    const { codeOf } = await import("../helpers/factories.ts");
    expect(
      await codeOf(
        caller.replays.start({
          orgId: team.orgId,
          token,
          request: {
            mode: "span",
            runId,
            spanId: spans.spans[0]!.id,
            model: "echos/sim",
            messages: [{ role: "assistant", content: "Hi" }],
          },
        }),
      ),
    ).toBe("BAD_REQUEST: The last message must be the user's: it is what the model answers");
  });
});
