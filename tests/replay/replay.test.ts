import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkflowDefinitionInput } from "@shared/workflow/define.ts";
import type { RunningServer } from "../../server/server.ts";
import { createInnerContext } from "../../server/trpc/context.ts";
import { createCaller } from "../../server/trpc/router.ts";
import { callerFor, codeOf, createOrgWithRoles, createUser } from "../helpers/factories.ts";
import { startOpenAiServer } from "../helpers/openai-server.ts";
import { startTestServer } from "../helpers/server.ts";
import { fullKey, recordRun, replay } from "./helpers.ts";

const triage: WorkflowDefinitionInput = {
  name: "triage-sim",
  steps: [
    { id: "classify", type: "llm", model: "echos/sim", prompt: "Classify this ticket: {{input.ticket}}" },
    { id: "draft", type: "llm", model: "echos/sim", prompt: "Draft a reply about {{steps.classify.output}}" },
    { id: "polish", type: "llm", model: "echos/sim", prompt: "Polish this reply: {{steps.draft.output}}" },
  ],
};

describe("replay on the server", () => {
  let server: RunningServer;
  let team: Awaited<ReturnType<typeof createOrgWithRoles>>;
  let key: string;
  let runId: string;

  beforeAll(async () => {
    server = await startTestServer();
    team = await createOrgWithRoles(server.deps);
    key = await fullKey(server.deps, team.owner);
    runId = await recordRun(server.url, key, triage, { ticket: "My parcel never arrived and I want a refund" });
  });
  afterAll(() => server.shutdown());

  it("reproduces the original outputs exactly when nothing changed (echos/sim)", async () => {
    const { result, events } = await replay(server.deps, team.member, {
      mode: "workflow",
      runId,
      forkStep: "classify",
    });
    expect(result.firstDivergence).toBeNull();
    expect(result.steps.map((s) => [s.stepId, s.policy, s.changed])).toEqual([
      ["classify", "live", false],
      ["draft", "live", false],
      ["polish", "live", false],
    ]);
    expect(result.run.status).toBe("success");
    expect(events.at(-1)).toEqual({ type: "finished", status: "success", error: null });
  });

  it("changes the fork step and the live steps after it, never the recorded ones", async () => {
    const { result, events, replayId } = await replay(server.deps, team.member, {
      mode: "workflow",
      runId,
      forkStep: "draft",
      overrides: { draft: { prompt: "Write a formal apology about {{steps.classify.output}}", temperature: 1.4 } },
    });
    const byStep = Object.fromEntries(result.steps.map((s) => [s.stepId, s]));
    expect(byStep.classify).toMatchObject({ policy: "recorded", changed: false });
    expect(byStep.classify!.replay!.output).toEqual(byStep.classify!.original!.output);
    expect(byStep.draft).toMatchObject({ policy: "live", changed: true });
    expect(byStep.polish).toMatchObject({ policy: "live", changed: true });
    expect(result.firstDivergence).toBe("draft");
    expect(byStep.draft!.replay!.config).toMatchObject({ temperature: 1.4 });
    // Recorded steps are streamed as recorded and cost nothing in the replay.
    const classifyEnd = events.find(
      (e) => e.type === "step" && e.stepId === "classify" && e.snapshot.status !== "running",
    );
    expect(classifyEnd).toMatchObject({ policy: "recorded", snapshot: { inputTokens: null, costUsd: null } });
    // echos/sim streams its words while a live step runs.
    const tokens = events.filter((e) => e.type === "token" && e.stepId === "draft");
    expect(tokens.map((e) => (e.type === "token" ? e.text : "")).join("")).toBe(byStep.draft!.replay!.output);
    // The replay is a run of its own, linked to its parent and fork step.
    expect(result.replay).toMatchObject({
      parentRunId: runId,
      rootRunId: runId,
      forkStep: "draft",
      executor: "server",
    });
    const forks = await callerFor(server.deps, team.viewer).replays.forks({ orgId: team.orgId, runId: replayId });
    expect(forks.find((f) => f.runId === replayId)).toMatchObject({ parentRunId: runId, forkStep: "draft" });
    expect(forks.find((f) => f.runId === runId)).toMatchObject({ parentRunId: null });
  });

  it("builds a fork tree: a replay of a replay joins the tree of the original run", async () => {
    const first = await replay(server.deps, team.member, {
      mode: "workflow",
      runId,
      forkStep: "polish",
      overrides: { polish: { prompt: "Shorten: {{steps.draft.output}}" } },
      label: "shorter",
    });
    const second = await replay(server.deps, team.member, {
      mode: "workflow",
      runId: first.replayId,
      forkStep: "polish",
      overrides: { polish: { prompt: "Shorten a lot: {{steps.draft.output}}" } },
      label: "much shorter",
    });
    expect(second.result.replay).toMatchObject({ parentRunId: first.replayId, rootRunId: runId });
    const forks = await callerFor(server.deps, team.viewer).replays.forks({ orgId: team.orgId, runId });
    expect(forks.find((f) => f.runId === second.replayId)).toMatchObject({
      parentRunId: first.replayId,
      label: "much shorter",
      createdBy: team.member.email,
    });
  });

  it("runs several variants of one fix side by side", async () => {
    const caller = callerFor(server.deps, team.member);
    const starts = await Promise.all(
      ["Be brief", "Be thorough", "Be funny"].map(async (style) => {
        const { token } = await caller.replays.token({ orgId: team.orgId, runId });
        return caller.replays.start({
          orgId: team.orgId,
          token,
          request: {
            mode: "workflow",
            runId,
            forkStep: "draft",
            overrides: { draft: { system: style } },
            label: style,
          },
        });
      }),
    );
    const { replayEvents } = await import("./helpers.ts");
    await Promise.all(starts.map((s) => replayEvents(server.deps, team.orgId, s.replayId)));
    const outputs = await Promise.all(
      starts.map(async (s) => {
        const result = await caller.replays.get({ orgId: team.orgId, replayId: s.replayId });
        return result.steps.find((x) => x.stepId === "draft")!.replay!.output;
      }),
    );
    expect(new Set(outputs).size).toBe(3);
  });

  it("refuses a bad fork step or override with a readable reason before anything runs", async () => {
    const caller = callerFor(server.deps, team.member);
    const { token } = await caller.replays.token({ orgId: team.orgId, runId });
    expect(
      await codeOf(
        caller.replays.start({ orgId: team.orgId, token, request: { mode: "workflow", runId, forkStep: "nope" } }),
      ),
    ).toBe('BAD_REQUEST: Step "nope" is not in workflow "triage-sim" (steps: classify, draft, polish)');
    const again = await caller.replays.token({ orgId: team.orgId, runId });
    expect(
      await codeOf(
        caller.replays.start({
          orgId: team.orgId,
          token: again.token,
          request: { mode: "workflow", runId, forkStep: "draft", overrides: { draft: { temperature: 9 } } },
        }),
      ),
    ).toMatch(/^BAD_REQUEST: Override of "draft": temperature: /);
  });
});

describe("replay security: stream tokens and roles", () => {
  let server: RunningServer;
  let team: Awaited<ReturnType<typeof createOrgWithRoles>>;
  let runId: string;

  beforeAll(async () => {
    server = await startTestServer();
    team = await createOrgWithRoles(server.deps);
    runId = await recordRun(server.url, await fullKey(server.deps, team.owner), triage, { ticket: "Where is it?" });
  });
  afterAll(() => server.shutdown());

  const request = () => ({ mode: "workflow" as const, runId, forkStep: "draft" });

  it("uses a token once", async () => {
    const caller = callerFor(server.deps, team.member);
    const { token } = await caller.replays.token({ orgId: team.orgId, runId });
    expect(await codeOf(caller.replays.start({ orgId: team.orgId, token, request: request() }))).toBe("OK");
    expect(await codeOf(caller.replays.start({ orgId: team.orgId, token, request: request() }))).toBe(
      "UNAUTHORIZED: The stream token is unknown or was already used; request a new one",
    );
  });

  it("refuses an expired token with that reason", async () => {
    const { issueStreamToken } = await import("../../server/modules/replay/tokens.ts");
    const { token } = await issueStreamToken(
      server.deps,
      { userId: team.member.userId, orgId: team.orgId, runId },
      Date.now() - 6 * 60 * 1000,
    );
    expect(
      await codeOf(callerFor(server.deps, team.member).replays.start({ orgId: team.orgId, token, request: request() })),
    ).toBe("UNAUTHORIZED: The stream token has expired (they last 5 minutes); request a new one");
  });

  it("binds a token to its user and run", async () => {
    const { token } = await callerFor(server.deps, team.admin).replays.token({ orgId: team.orgId, runId });
    expect(
      await codeOf(callerFor(server.deps, team.member).replays.start({ orgId: team.orgId, token, request: request() })),
    ).toBe("UNAUTHORIZED: The stream token was issued for another user, organisation or run");
  });

  it("refuses viewers, and answers 404 for another organisation's run", async () => {
    expect(await codeOf(callerFor(server.deps, team.viewer).replays.token({ orgId: team.orgId, runId }))).toMatch(
      /^FORBIDDEN: /,
    );
    const outsider = await createUser(server.deps, "outsider");
    const caller = callerFor(server.deps, outsider);
    expect(await codeOf(caller.replays.token({ orgId: outsider.orgId, runId }))).toBe("NOT_FOUND: Run not found");
    expect(await codeOf(caller.replays.plan({ orgId: outsider.orgId, runId }))).toBe("NOT_FOUND: Run not found");
  });
});

describe("replay with an OpenAI-compatible provider", () => {
  let server: RunningServer;
  let provider: Awaited<ReturnType<typeof startOpenAiServer>>;
  let team: Awaited<ReturnType<typeof createOrgWithRoles>>;
  let runId: string;
  const hits: { method: string; body: string }[] = [];
  let hookUrl: string;
  const hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += String(c)));
    req.on("end", () => {
      hits.push({ method: req.method ?? "", body });
      res.writeHead(200, { "content-type": "application/json" }).end('{"sent":true}');
    });
  });

  beforeAll(async () => {
    provider = await startOpenAiServer();
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/send`;
    server = await startTestServer({ env: { HTTP_ALLOW_CIDRS: "127.0.0.0/8" } });
    team = await createOrgWithRoles(server.deps);
    const workflow: WorkflowDefinitionInput = {
      name: "support-openai",
      steps: [
        {
          id: "understand",
          type: "llm",
          model: "gpt-4o-mini",
          baseUrl: provider.url,
          prompt: "Summarise: {{input.ticket}}",
        },
        {
          id: "answer",
          type: "llm",
          model: "gpt-4o-mini",
          baseUrl: provider.url,
          prompt: "Reply to: {{steps.understand.output}}",
        },
        { id: "notify", type: "http", method: "POST", url: hookUrl, body: { text: "{{steps.answer.output}}" } },
      ],
    };
    runId = await recordRun(
      server.url,
      await fullKey(server.deps, team.owner),
      workflow,
      { ticket: "Refund for order 42" },
      { credentials: { OPENAI_API_KEY: "sk-recording" } },
    );
    provider.requests.length = 0;
    hits.length = 0;
  });
  afterAll(async () => {
    await server.shutdown();
    await provider.close();
    hook.close();
  });

  function callerWithCredential(value: string | null) {
    return createCaller(
      createInnerContext(server.deps, {
        session: team.member.session,
        credentials: new Map(value ? [["OPENAI_API_KEY", value]] : []),
      }),
    );
  }

  async function start(caller: ReturnType<typeof callerWithCredential>, extra: Record<string, unknown> = {}) {
    const { token } = await caller.replays.token({ orgId: team.orgId, runId });
    const { replayId } = await caller.replays.start({
      orgId: team.orgId,
      token,
      request: { mode: "workflow", runId, forkStep: "answer", ...extra },
    });
    const { replayEvents } = await import("./helpers.ts");
    const events = await replayEvents(server.deps, team.orgId, replayId);
    return { events, result: await caller.replays.get({ orgId: team.orgId, replayId }) };
  }

  it("calls the provider for live steps only, with the request's credential, and streams its tokens", async () => {
    const { events, result } = await start(callerWithCredential("sk-from-header"), {
      overrides: { answer: { prompt: "Reply kindly to: {{steps.understand.output}}" } },
    });
    // `understand` is before the fork: recorded, so exactly one provider call (for `answer`).
    expect(provider.requests).toHaveLength(1);
    expect(provider.requests[0]!.authorization).toBe("Bearer sk-from-header");
    expect(provider.requests[0]!.body).toMatchObject({ stream: true });
    const answer = result.steps.find((s) => s.stepId === "answer")!;
    expect(answer.replay!.output).toMatch(/^Answer to: Reply kindly to: /);
    // The text arrives while the step runs: before the step's end, and adding up to its output.
    const streamed = events.flatMap((e) => (e.type === "token" && e.stepId === "answer" ? [e.text] : []));
    expect(streamed.join("")).toBe(answer.replay!.output);
    const firstToken = events.findIndex((e) => e.type === "token" && e.stepId === "answer");
    const end = events.findIndex((e) => e.type === "step" && e.stepId === "answer" && e.snapshot.status !== "running");
    expect(firstToken).toBeGreaterThan(-1);
    expect(firstToken).toBeLessThan(end);
    // The POST is a side effect: kept recorded, the hook was not called again.
    expect(result.steps.find((s) => s.stepId === "notify")).toMatchObject({ policy: "recorded" });
    expect(hits).toHaveLength(0);
  });

  it("runs a side-effect step only when switched to live", async () => {
    provider.requests.length = 0;
    const { result } = await start(callerWithCredential("sk-from-header"), { policies: { notify: "live" } });
    expect(result.steps.find((s) => s.stepId === "notify")).toMatchObject({ policy: "live" });
    expect(hits).toHaveLength(1);
    expect(hits[0]!.method).toBe("POST");
  });

  it("fails the step with a message naming the missing credential, without crashing the replay", async () => {
    provider.requests.length = 0;
    const { result, events } = await start(callerWithCredential(null));
    expect(provider.requests).toHaveLength(0);
    const answer = result.steps.find((s) => s.stepId === "answer")!;
    expect(answer.replay!.error).toBe(
      "Missing credential OPENAI_API_KEY: set it in Settings → Credentials or send X-User-Credential-OPENAI_API_KEY",
    );
    expect(result.run.status).toBe("error");
    expect(events.at(-1)).toMatchObject({ type: "finished", status: "error" });
  });
});
