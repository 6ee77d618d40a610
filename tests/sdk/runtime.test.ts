import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs, spans } from "../../db/schema.ts";
import type { RunningServer } from "../../server/server.ts";
import { EchosClient } from "../../sdk/client.ts";
import { defineWorkflow, EchosRuntime, hashDefinition } from "../../sdk/workflow.ts";
import { countWords } from "@shared/workflow/sim-model.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";

const readBody = async (req: IncomingMessage) => {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
};

/** On loopback: an orders API for http steps, and an Echos that does not know workflow registration yet. */
function startFakeApis() {
  const seen = { registrations: [] as { key?: string; body: Record<string, unknown> }[] };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
      const order = /^\/orders\/(\w+)$/.exec(req.url ?? "");
      if (order) return json(200, { id: order[1], status: "shipped", items: 2 });
      if (req.url === "/api/v1/workflows") {
        seen.registrations.push({ key: req.headers["x-api-key"] as string | undefined, body });
        return json(404, { message: "Not found" });
      }
      res.writeHead(500).end("no such route");
    })();
  });
  return new Promise<{ server: Server; url: string; seen: typeof seen }>((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }),
    ),
  );
}

let fake: Awaited<ReturnType<typeof startFakeApis>>;
beforeAll(async () => (fake = await startFakeApis()));
afterAll(() => new Promise((resolve) => fake.server.close(resolve)));

describe("EchosRuntime against a running server", () => {
  let server: RunningServer;
  let user: TestUser;
  let apiKey: string;

  beforeAll(async () => {
    server = await startTestServer();
    user = await createUser(server.deps, "rt");
    apiKey = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "rt", scope: "ingest" }))
      .key;
  });
  afterAll(() => server.shutdown());

  it("runs a workflow and records the run and one span per step, with resolved config", async () => {
    const client = new EchosClient({ apiKey, apiUrl: server.url, flushIntervalMs: 60_000 });
    const warnings: string[] = [];
    const sent: unknown[] = [];
    const runtime = new EchosRuntime({
      client,
      apiKey,
      tools: {
        sendEmail: (args) => {
          sent.push(args);
          return { queued: true };
        },
      },
      onError: (e) => warnings.push(e.message),
    });
    const name = `support-triage-${Date.now()}`;
    const code = "return { urgent: input.input.ticket.includes('refund'), items: input.lookup.items }";
    const workflow = defineWorkflow({
      name,
      steps: [
        {
          id: "classify",
          type: "llm",
          model: "echos/sim",
          system: "You are a triage bot.",
          prompt: "Classify: {{input.ticket}}",
          temperature: 0.2,
        },
        { id: "lookup", type: "http", url: `${fake.url}/orders/{{input.orderId}}` },
        { id: "score", type: "code", code },
        {
          id: "notify",
          type: "tool",
          tool: "sendEmail",
          args: { to: "{{input.email}}", text: "{{steps.classify.output}}" },
          sideEffects: true,
        },
      ],
      output: { score: "{{steps.score.output}}", queued: "{{steps.notify.output.queued}}" },
    });
    const input = { ticket: "I want a refund for order 42", orderId: 42, email: "ann@example.com" };
    const result = await runtime.run(workflow, input, { tags: ["rt"] });
    expect(result).toMatchObject({ status: "success", output: { score: { urgent: true, items: 2 }, queued: true } });
    const text = result.steps.classify?.output as string;
    expect(sent).toEqual([{ to: "ann@example.com", text }]);
    // The route is another piece of work: until it exists, registration warns and the run goes on.
    if (!(await runtime.registerWorkflow(workflow))) expect(warnings.join("\n")).toMatch(/not registered: HTTP 404/);

    await client.flush();
    expect(client.stats()).toMatchObject({ queued: 0, failed: 0, rejected: 0 });
    const db = server.deps.database.db;
    const [run] = await db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.id, result.runId)));
    expect(run).toMatchObject({
      name,
      status: "success",
      input,
      output: result.output,
      tags: ["rt"],
      workflowVersionId: `${name}@${hashDefinition(workflow).slice(0, 12)}`,
    });
    const rows = await db
      .select()
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.runId, result.runId)));
    // One span per step, started in step order (two quick steps may start in the same millisecond).
    const order = ["classify", "lookup", "score", "notify"];
    const [classify, lookup, score, notify] = order.map((name) => rows.find((r) => r.name === name));
    expect(rows).toHaveLength(4);
    expect([classify, lookup, score, notify].map((r) => [r?.name, r?.kind, r?.status])).toEqual([
      ["classify", "llm", "success"],
      ["lookup", "http", "success"],
      ["score", "code", "success"],
      ["notify", "tool", "success"],
    ]);
    const starts = [classify, lookup, score, notify].map((r) => r!.startedAt.getTime());
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(classify).toMatchObject({
      config: {
        model: "echos/sim",
        system: "You are a triage bot.",
        prompt: `Classify: ${input.ticket}`,
        temperature: 0.2,
      },
      output: text,
      model: "echos/sim",
      inputTokens: countWords("You are a triage bot.") + countWords(`Classify: ${input.ticket}`),
      outputTokens: countWords(text),
      endedAt: expect.any(Date),
    });
    expect(lookup).toMatchObject({
      config: { method: "GET", url: `${fake.url}/orders/42` },
      output: { id: "42", items: 2 },
    });
    expect(score).toMatchObject({ config: { code }, output: { urgent: true, items: 2 } });
    expect(notify).toMatchObject({
      config: { tool: "sendEmail", args: { to: "ann@example.com", text }, sideEffects: true },
    });
    expect(notify?.attributes).toMatchObject({ stepType: "tool", policy: "live", attempts: 1 });
  });

  it("stamps the run and its spans with the runtime's clock, keeping real durations", async () => {
    const client = new EchosClient({ apiKey, apiUrl: server.url, flushIntervalMs: 60_000 });
    const dayAgo = () => Date.now() - 86_400_000;
    const runtime = new EchosRuntime({ client, apiKey, clock: dayAgo });
    const workflow = defineWorkflow({
      name: `backfill-${Date.now()}`,
      steps: [{ id: "answer", type: "llm", model: "echos/sim", prompt: "Hello", latencyMs: 60 }],
    });
    const result = await runtime.run(workflow, {});
    await client.shutdown();
    const db = server.deps.database.db;
    const [run] = await db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.id, result.runId)));
    const [answer] = await db
      .select()
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.runId, result.runId)));
    expect(Math.abs(run!.startedAt.getTime() - dayAgo())).toBeLessThan(60_000);
    expect(run!.endedAt!.getTime()).toBeGreaterThanOrEqual(answer!.endedAt!.getTime());
    expect(answer!.startedAt.getTime()).toBeGreaterThanOrEqual(run!.startedAt.getTime());
    expect(answer!.endedAt!.getTime() - answer!.startedAt.getTime()).toBeGreaterThanOrEqual(55);
  });

  it("registers each workflow version once, and a 404 only warns", async () => {
    const client = new EchosClient({ apiKey, apiUrl: server.url, flushIntervalMs: 60_000 });
    const warnings: string[] = [];
    const runtime = new EchosRuntime({ client, apiKey, apiUrl: fake.url, onError: (e) => warnings.push(e.message) });
    const before = fake.seen.registrations.length;
    const wf = (prompt: string) =>
      defineWorkflow({ name: "reg", steps: [{ id: "a", type: "llm", model: "echos/sim", prompt }] });
    expect((await runtime.run(wf("one"), {})).status).toBe("success");
    expect((await runtime.run(wf("one"), {})).status).toBe("success");
    expect((await runtime.run(wf("two"), {})).status).toBe("success");
    const registrations = fake.seen.registrations.slice(before);
    expect(registrations.map((r) => r.body.hash)).toEqual([hashDefinition(wf("one")), hashDefinition(wf("two"))]);
    expect(registrations[0]).toMatchObject({ key: apiKey, body: { name: "reg", definition: wf("one") } });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/Workflow "reg" \(\w{12}\) not registered: HTTP 404/);
    await client.shutdown();
  });
});
