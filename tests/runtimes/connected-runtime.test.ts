import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  NoConnectedRuntimeError,
  RuntimeJobError,
  listConnectedRuntimes,
  runOnConnectedRuntime,
} from "../../server/modules/runtimes/service.ts";
import { connectedRuntimeTools } from "../../server/modules/runtimes/tools.ts";
import type { RunningServer } from "../../server/server.ts";
import { defineWorkflow } from "@shared/workflow/define.ts";
import { replayPolicy, runWorkflow } from "@shared/workflow/engine.ts";
import { EchosRuntime } from "../../sdk/index.ts";
import type { RuntimeConnection } from "../../sdk/connection.ts";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "../helpers/env.ts";
import { callerFor, createUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { type SpawnedRuntime, spawnRuntime } from "./spawn-runtime.ts";

// Two instances share state only through PostgreSQL and Redis. On the embedded defaults (PGlite and the in-memory
// store live in one process) a second instance could not see the first, so there the runtime connects to the same
// single server that dispatches.
const TWO_INSTANCES = Boolean(TEST_DATABASE_URL && TEST_REDIS_URL);

const call = (tool: string, args: unknown = {}) => ({ tool, args, stepId: `step-${tool}`, runId: "run-1" });

describe(`a replay step run by an SDK runtime in another process (${TWO_INSTANCES ? "two instances" : "one instance"})`, () => {
  let connectedTo: RunningServer;
  let dispatcher: RunningServer;
  let orgId: string;
  let fullKey: string;
  const runtimes: SpawnedRuntime[] = [];
  let primary: SpawnedRuntime;

  beforeAll(async () => {
    connectedTo = await startTestServer({ env: { RATE_LIMIT_MAX: "100000" } });
    dispatcher = TWO_INSTANCES ? await startTestServer({ env: { RATE_LIMIT_MAX: "100000" } }) : connectedTo;
    const owner = await createUser(connectedTo.deps, "runtime-owner");
    orgId = owner.orgId;
    fullKey = (await callerFor(connectedTo.deps, owner).apiKeys.create({ orgId, name: "agent", scope: "full" })).key;
    primary = spawnRuntime({ url: connectedTo.url, key: fullKey, label: "primary" });
    runtimes.push(primary);
    await primary.waitForLine(/^connected /);
  });
  afterAll(async () => {
    await Promise.all(runtimes.map((r) => r.kill()));
    await connectedTo.shutdown();
    if (dispatcher !== connectedTo) await dispatcher.shutdown();
  });

  it("lists the connected runtime with its name, tools and SDK version on the dispatching instance", async () => {
    const listed = await listConnectedRuntimes(dispatcher.deps, orgId);
    expect(listed).toEqual([
      expect.objectContaining({ name: "primary", tools: ["echo", "charge_card"], sdkVersion: "0.1.0" }),
    ]);
    expect(Date.parse(listed[0]!.connectedAt)).not.toBeNaN();
  });

  it("runs a tool call in the runtime's process and returns its output", async () => {
    const output = await runOnConnectedRuntime(dispatcher.deps, orgId, call("echo", { orderId: "A-1001" }));
    expect(output).toEqual({ args: { orderId: "A-1001" }, stepId: "step-echo", by: "primary" });
  });

  it("replays a workflow from its tool step with the step run by the connected runtime", async () => {
    const workflow = defineWorkflow({
      name: "refund",
      steps: [
        { id: "classify", type: "llm", model: "echos/sim", prompt: "Classify: {{input.text}}" },
        {
          id: "order",
          type: "tool",
          tool: "echo",
          args: { orderId: "{{input.orderId}}", category: "{{steps.classify.output}}" },
        },
      ],
    });
    const result = await runWorkflow(
      workflow,
      { text: "charged twice", orderId: "A-7" },
      {
        tools: connectedRuntimeTools(dispatcher.deps, orgId, "replay-run", ["echo"]),
        recording: { classify: { output: "billing", status: "success" } },
        policy: replayPolicy(workflow, "order"),
      },
    );
    expect(result.status).toBe("success");
    expect(result.steps.classify).toMatchObject({ policy: "recorded", output: "billing" });
    expect(result.steps.order).toMatchObject({
      policy: "live",
      output: { args: { orderId: "A-7", category: "billing" }, stepId: "order", by: "primary" },
    });
  });

  it("brings a tool's error back as an Error with the tool's message", async () => {
    const failure = runOnConnectedRuntime(dispatcher.deps, orgId, call("charge_card"));
    await expect(failure).rejects.toThrow(RuntimeJobError);
    await expect(failure).rejects.toThrow("card declined: insufficient funds");
  });

  it("says plainly that no connected runtime has a tool", async () => {
    const failure = runOnConnectedRuntime(dispatcher.deps, orgId, call("send_email"));
    await expect(failure).rejects.toThrow(NoConnectedRuntimeError);
    await expect(failure).rejects.toThrow(
      'No connected runtime has the tool "send_email" — connect one with runtime.connect(), or keep the step recorded',
    );
  });

  it("fails the wait promptly, not at the timeout, when the runtime is killed mid-job", async () => {
    const victim = spawnRuntime({ url: connectedTo.url, key: fullKey, label: "victim", tools: "hang" });
    runtimes.push(victim);
    await victim.waitForLine(/^connected /);
    const job = runOnConnectedRuntime(dispatcher.deps, orgId, call("hang"), undefined, { timeoutMs: 10 * 60_000 });
    job.catch(() => {});
    await victim.waitForLine(/^started step-hang/);
    await victim.kill();
    await expect(job).rejects.toThrow('The runtime "victim" disconnected before the tool "hang" finished');
    expect((await listConnectedRuntimes(dispatcher.deps, orgId)).map((r) => r.name)).toEqual(["primary"]);
  });

  it("never hands an organisation's job to another organisation's runtime", async () => {
    const other = await createUser(connectedTo.deps, "other-org");
    const otherKey = (
      await callerFor(connectedTo.deps, other).apiKeys.create({ orgId: other.orgId, name: "b", scope: "full" })
    ).key;
    const runtime = new EchosRuntime({
      apiKey: otherKey,
      apiUrl: connectedTo.url,
      tools: { echo: () => ({ by: "other-org" }) },
    });
    const connection: RuntimeConnection = await runtime.connect({ name: "other" });
    try {
      const outputs = await Promise.all(
        Array.from({ length: 6 }, () => runOnConnectedRuntime(dispatcher.deps, orgId, call("echo"))),
      );
      expect(outputs.map((o) => (o as { by: string }).by)).toEqual(Array(6).fill("primary"));
      expect(await runOnConnectedRuntime(dispatcher.deps, other.orgId, call("echo"))).toEqual({ by: "other-org" });
      expect((await listConnectedRuntimes(dispatcher.deps, orgId)).map((r) => r.name)).toEqual(["primary"]);
      await expect(runOnConnectedRuntime(dispatcher.deps, other.orgId, call("charge_card"))).rejects.toThrow(
        NoConnectedRuntimeError,
      );
    } finally {
      await connection.close();
      await runtime.flush();
    }
  });

  it("reconnects after the stream drops, with its presence restored under a new connection", async () => {
    const [before] = await listConnectedRuntimes(dispatcher.deps, orgId);
    const from = primary.lines.length;
    connectedTo.app.server.closeAllConnections();
    await primary.waitForLine(/^disconnected/, { from });
    const [, connectionId] = await primary.waitForLine(/^connected (\S+)/, { from });
    expect(connectionId).not.toBe(before!.id);
    const after = await listConnectedRuntimes(dispatcher.deps, orgId);
    expect(after.map((r) => [r.id, r.name])).toEqual([[connectionId, "primary"]]);
    const output = await runOnConnectedRuntime(dispatcher.deps, orgId, call("echo", { again: true }));
    expect(output).toMatchObject({ args: { again: true }, by: "primary" });
  });
});
