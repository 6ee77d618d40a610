import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeConnection } from "../../sdk/connection.ts";
import { EchosRuntime } from "../../sdk/runtime.ts";
import type { RunningServer } from "../../server/server.ts";
import { TICKETS } from "../../server/modules/dev-seed/demo-inputs.ts";
import { demoTools } from "../../server/modules/dev-seed/demo-tools.ts";
import { supportTriage } from "../../server/modules/dev-seed/demo-workflows.ts";
import { callerFor, codeOf, createOrgWithRoles, createUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { fullKey, recordRun, replay } from "./helpers.ts";

const ticket = TICKETS[0]!;
/** The demo's weak spot: an order id with a typo fails `order`, so `send` (a side effect) is never reached. */
const typo = { ...ticket, orderId: "A-10O1" };
const fixOrder = { order: { args: { orderId: "A-1001" } } };

describe("replay verdicts and held steps", () => {
  let server: RunningServer;
  let team: Awaited<ReturnType<typeof createOrgWithRoles>>;
  let key: string;
  let connection: RuntimeConnection;
  let failed: string;
  let succeeded: string;

  beforeAll(async () => {
    server = await startTestServer();
    team = await createOrgWithRoles(server.deps);
    key = await fullKey(server.deps, team.owner);
    // The tool steps of a server replay run in the team's connected runtime, as the demo's do.
    connection = await new EchosRuntime({ apiKey: key, apiUrl: server.url, tools: demoTools }).connect({
      name: "demo-tools",
    });
    [failed, succeeded] = await Promise.all([
      recordRun(server.url, key, supportTriage, typo, { tools: demoTools }),
      recordRun(server.url, key, supportTriage, ticket, { tools: demoTools }),
    ]);
  });
  afterAll(async () => {
    await connection.close();
    await server.shutdown();
  });

  const orgId = () => team.owner.orgId;
  const listRow = async (runId: string) =>
    (await callerFor(server.deps, team.owner).runs.list({ orgId: orgId(), limit: 200, origin: "all" })).items.find(
      (r) => r.id === runId,
    );

  it("holds the side effect a failing original never reached, and calls the working fix fixed", async () => {
    const { result, events, replayId } = await replay(server.deps, team.member, {
      mode: "workflow",
      runId: failed,
      forkStep: "order",
      overrides: fixOrder,
    });
    const send = result.steps.find((s) => s.stepId === "send")!;
    expect(send).toMatchObject({ policy: "held", changed: false, replay: { status: "success", output: null } });
    // The tool's name and its arguments as resolved from the fixed run (long ones cut short).
    expect(send.replay!.held).toMatch(
      /^would call tool sendEmail with \{"to":"ada@example.com",.*"Hi Ada,.*; switch it live to run it$/s,
    );
    expect(events.filter((e) => e.type === "step" && e.stepId === "send").at(-1)).toMatchObject({ policy: "held" });
    expect(events.at(-1)).toEqual({ type: "finished", status: "success", error: null });
    expect(result.run).toMatchObject({ status: "success", errorCount: 0, verdict: "fixed", verdictStep: null });
    expect(result.replay).toMatchObject({ verdict: "fixed", number: 1, label: "order: args edited" });
    expect(await listRow(replayId)).toMatchObject({ status: "success", verdict: "fixed" });
    expect(await listRow(failed)).toMatchObject({ status: "error", verdict: null });
    const forks = await callerFor(server.deps, team.viewer).replays.forks({ orgId: orgId(), runId: failed });
    expect(forks.find((n) => n.runId === replayId)).toMatchObject({ verdict: "fixed", number: 1 });
    // Replaying the replay does not take the held step's empty output as a recording: it is held again.
    const again = await replay(server.deps, team.member, { mode: "workflow", runId: replayId, forkStep: "draft" });
    expect(again.result.steps.find((s) => s.stepId === "send")).toMatchObject({ policy: "held" });
    expect(again.result.replay).toMatchObject({ number: 2, rootRunId: failed });
  });

  it("says where a replay that did not fix the run still fails", async () => {
    const { result } = await replay(server.deps, team.member, {
      mode: "workflow",
      runId: failed,
      forkStep: "classify",
      overrides: { classify: { temperature: 0.9 } },
    });
    expect(result.run.status).toBe("error");
    expect(result.replay).toMatchObject({
      verdict: "still_failing",
      verdictStep: "order",
      label: "classify: temperature 0.2→0.9",
    });
  });

  it("calls a replay of a successful run changed where a step's output differs, unchanged where none does", async () => {
    const changed = await replay(server.deps, team.member, {
      mode: "workflow",
      runId: succeeded,
      forkStep: "draft",
      overrides: { draft: { prompt: "Apologise briefly for order {{input.orderId}}." } },
    });
    expect(changed.result.replay).toMatchObject({
      verdict: "changed",
      verdictStep: "draft",
      label: "draft: prompt edited",
    });
    // The original sent its e-mail: the replay takes that from the recording and holds nothing.
    expect(changed.result.steps.find((s) => s.stepId === "send")).toMatchObject({ policy: "recorded" });
    const same = await replay(server.deps, team.member, { mode: "workflow", runId: succeeded, forkStep: "classify" });
    expect(same.result.replay).toMatchObject({
      verdict: "unchanged",
      verdictStep: null,
      label: "classify: re-run unchanged",
    });
    expect(await listRow(same.replayId)).toMatchObject({ verdict: "unchanged" });
  });

  it("numbers concurrent replays of one run without duplicates, and shows the same numbers on every visit", async () => {
    const parent = await recordRun(server.url, key, supportTriage, TICKETS[1]!, { tools: demoTools });
    const started = await Promise.all(
      [0.1, 0.3, 0.5].map((temperature) =>
        replay(server.deps, team.member, {
          mode: "workflow",
          runId: parent,
          forkStep: "draft",
          overrides: { draft: { temperature } },
        }),
      ),
    );
    const numbers = started.map((s) => s.result.replay.number).sort();
    expect(numbers).toEqual([1, 2, 3]);
    const visit = async () =>
      Object.fromEntries(
        (await callerFor(server.deps, team.viewer).replays.forks({ orgId: orgId(), runId: parent })).map((n) => [
          n.runId,
          n.number,
        ]),
      );
    const first = await visit();
    expect(first).toEqual(await visit());
    expect(first[parent]).toBeNull();
    for (const s of started) expect(first[s.replayId]).toBe(s.result.replay.number);
  });

  it("lets members rename a variant, cleaning and checking the name, and refuses viewers", async () => {
    const { replayId } = await replay(server.deps, team.member, {
      mode: "workflow",
      runId: succeeded,
      forkStep: "classify",
    });
    const member = callerFor(server.deps, team.member);
    const renamed = await member.replays.rename({ orgId: orgId(), replayId, label: "  Fix\u0007 the\norder\t id " });
    expect(renamed).toMatchObject({ label: "Fix the order id" });
    const numberBefore = renamed.number;
    expect((await member.replays.get({ orgId: orgId(), replayId })).replay).toMatchObject({
      label: "Fix the order id",
      number: numberBefore,
    });
    for (const label of [" \u0007\n ", "x".repeat(121), "a\u0000b"])
      expect(await codeOf(member.replays.rename({ orgId: orgId(), replayId, label }))).toMatch(/^BAD_REQUEST: /);
    expect(
      await codeOf(callerFor(server.deps, team.viewer).replays.rename({ orgId: orgId(), replayId, label: "Mine" })),
    ).toMatch(/^FORBIDDEN/);
    const stranger = await createUser(server.deps, "stranger");
    expect(
      await codeOf(
        callerFor(server.deps, stranger).replays.rename({ orgId: stranger.orgId, replayId, label: "Not yours" }),
      ),
    ).toMatch(/^NOT_FOUND/);
  });

  it("gives replays run by the SDK the same held steps, outcome and verdict", async () => {
    const runtime = new EchosRuntime({ apiKey: key, apiUrl: server.url, tools: demoTools });
    const result = await runtime.replay(failed, { forkStep: "order", overrides: fixOrder });
    await runtime.flush();
    expect(result).toMatchObject({ status: "success", held: ["send"] });
    expect(result.steps.send).toMatchObject({ status: "held" });
    const got = await callerFor(server.deps, team.viewer).replays.get({ orgId: orgId(), replayId: result.runId });
    expect(got.replay).toMatchObject({ executor: "sdk", verdict: "fixed", label: "order: args edited" });
    expect(got.steps.find((s) => s.stepId === "send")).toMatchObject({ policy: "held" });
    expect(got.steps.find((s) => s.stepId === "send")!.replay!.held).toMatch(/^would call tool sendEmail with /);
  });
});
