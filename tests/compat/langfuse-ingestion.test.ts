import { and, eq } from "drizzle-orm";
import { Langfuse, observeOpenAI } from "langfuse";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs, spans } from "../../db/schema.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { startOpenAiServer } from "../helpers/openai-server.ts";
import { startTestServer } from "../helpers/server.ts";

const uid = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * The `langfuse` v3 client pointed at Echos by `baseUrl` and keys only: its batch API (`/api/public/ingestion`)
 * becomes runs and spans, creates and their later updates merged, scores kept, each event answered in a 207.
 */
describe("Langfuse v3 client over the ingestion API", () => {
  let server: RunningServer;
  let model: Awaited<ReturnType<typeof startOpenAiServer>>;
  let user: TestUser;
  let key: string;

  beforeAll(async () => {
    server = await startTestServer();
    model = await startOpenAiServer();
    user = await createUser(server.deps, "langfuse-v3");
    key = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "lf", scope: "ingest" })).key;
  });
  afterAll(async () => {
    await model.close();
    await server.shutdown();
  });

  const rowsOf = async (traceId: string) => {
    const db = server.deps.database.db;
    const runId = `langfuse-${traceId}`;
    const [run] = await db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.id, runId)));
    const rows = await db
      .select()
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.runId, runId)));
    return { run, byName: new Map(rows.map((s) => [s.name, s])) };
  };

  const post = (body: string, secret = key) =>
    fetch(`${server.url}/api/public/ingestion`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Basic ${Buffer.from(`pk-lf-anything:${secret}`).toString("base64")}`,
      },
      body,
    });

  it("stores a traced agent: the run, nested spans, OpenAI generations (streamed too), a tool, an event, an error, scores", async () => {
    // Every event is its own request (flushAt: 1), so creates and their updates arrive apart, in any order.
    const langfuse = new Langfuse({ baseUrl: server.url, publicKey: "pk-lf-anything", secretKey: key, flushAt: 1 });
    const errors: unknown[] = [];
    langfuse.on("error", (e) => errors.push(e));
    const openai = new OpenAI({ apiKey: "sk-test", baseURL: model.url });
    const question = "What is the weather in Paris?";
    const messages = [
      { role: "system" as const, content: "You are terse." },
      { role: "user" as const, content: question },
    ];

    const trace = langfuse.trace({
      name: "support-chat",
      userId: "user-7",
      sessionId: uid("session"),
      tags: ["v3", "support"],
      metadata: { tier: "gold" },
      input: { question },
    });
    const agent = trace.span({ name: "answer-question", input: { question } });
    const completion = await observeOpenAI(openai, {
      parent: agent,
      generationName: "openai-call",
    }).chat.completions.create({ model: "gpt-4o-mini", messages, temperature: 0.3 });
    const stream = await observeOpenAI(openai, {
      parent: agent,
      generationName: "openai-stream",
    }).chat.completions.create({
      model: "gpt-4o-mini",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamed = "";
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? "";
    const tool = agent.span({ name: "get_weather", input: { city: "Paris" }, metadata: { source: "api" } });
    tool.update({ metadata: { attempt: 1 } });
    tool.end({ output: { temperature: 18 } });
    const manual = agent.generation({
      name: "manual-call",
      model: "gpt-4o-mini",
      modelParameters: { temperature: 0, max_tokens: 50 },
      input: messages,
    });
    manual.end({
      output: { role: "assistant", content: "Sunny." },
      usage: { input: 10, output: 3 },
      costDetails: { input: 0.001, output: 0.001, total: 0.002 },
    });
    const failing = agent.generation({ name: "failing-call", model: "gpt-4o-mini", input: "hi" });
    failing.end({ level: "ERROR", statusMessage: "rate limited" });
    agent.event({ name: "cache-miss", input: { key: "weather:paris" } });
    agent.end({ output: { answer: completion.choices[0]!.message.content } });
    trace.update({ output: { answer: completion.choices[0]!.message.content } });
    trace.score({ name: "helpfulness", value: 0.9, comment: "clear" });
    manual.score({ name: "accuracy", value: 1 });
    await langfuse.shutdownAsync();
    expect(errors).toEqual([]);

    const { run, byName } = await rowsOf(trace.id);
    expect([...byName.keys()].sort()).toEqual([
      "answer-question",
      "cache-miss",
      "failing-call",
      "get_weather",
      "manual-call",
      "openai-call",
      "openai-stream",
    ]);
    const answer = completion.choices[0]!.message.content;
    expect(run).toMatchObject({
      name: "support-chat",
      tags: ["v3", "support"],
      input: { question },
      output: { answer },
      // Each model call once: 40 + 40 + 10 in, their answers out; the failed call reported none.
      inputTokens: 90,
    });
    expect(run!.conversationId).toMatch(/^session-/);
    expect(run!.metadata).toMatchObject({
      source: "langfuse",
      tier: "gold",
      "langfuse.userId": "user-7",
      "langfuse.score.helpfulness": expect.objectContaining({ value: 0.9, comment: "clear" }),
    });

    const root = byName.get("answer-question")!;
    expect(root).toMatchObject({ kind: "custom", parentId: null, status: "success", input: { question } });
    expect(root.output).toEqual({ answer });

    const call = byName.get("openai-call")!;
    expect(call).toMatchObject({ kind: "llm", parentId: root.id, model: "gpt-4o-mini", inputTokens: 40 });
    expect(call.outputTokens).toBe(answer!.split(/\s+/).length);
    expect(call.input).toEqual(messages);
    expect(call.output).toEqual([expect.objectContaining({ role: "assistant", content: answer })]);
    expect(call.config).toMatchObject({ temperature: 0.3 });

    const streamedCall = byName.get("openai-stream")!;
    expect(streamed).toBe(answer);
    expect(streamedCall).toMatchObject({ kind: "llm", model: "gpt-4o-mini", inputTokens: 40, status: "success" });
    expect(streamedCall.outputTokens).toBe(answer!.split(/\s+/).length);
    expect(streamedCall.output).toEqual([expect.objectContaining({ role: "assistant", content: answer })]);

    // The create's name, start and metadata survive the updates, which only add.
    const weather = byName.get("get_weather")!;
    expect(weather).toMatchObject({ parentId: root.id, status: "success", input: { city: "Paris" } });
    expect(weather.output).toEqual({ temperature: 18 });
    expect(weather.attributes).toMatchObject({
      "langfuse.observation.metadata.source": "api",
      "langfuse.observation.metadata.attempt": 1,
    });
    expect(weather.endedAt!.getTime()).toBeGreaterThanOrEqual(weather.startedAt.getTime());

    const manualCall = byName.get("manual-call")!;
    expect(manualCall).toMatchObject({
      kind: "llm",
      model: "gpt-4o-mini",
      inputTokens: 10,
      outputTokens: 3,
      costUsd: 0.002,
      config: { temperature: 0, max_tokens: 50 },
      output: [{ role: "assistant", content: "Sunny." }],
    });
    expect(manualCall.attributes).toMatchObject({
      "langfuse.score.accuracy": expect.objectContaining({ value: 1 }),
    });

    expect(byName.get("failing-call")).toMatchObject({ kind: "llm", status: "error", error: "rate limited" });
    const event = byName.get("cache-miss")!;
    expect(event).toMatchObject({ kind: "custom", parentId: root.id, input: { key: "weather:paris" } });
    expect(event.endedAt).toEqual(event.startedAt);
  });

  it("keeps what a create said when its update arrives first or alone", async () => {
    const traceId = uid("trace");
    const spanId = uid("span");
    const now = new Date().toISOString();
    const update = {
      id: uid("e"),
      type: "generation-update",
      timestamp: now,
      body: { id: spanId, traceId, endTime: now, output: "Done", usage: { input: 5, output: 1 } },
    };
    const create = {
      id: uid("e"),
      type: "generation-create",
      timestamp: now,
      body: { id: spanId, traceId, name: "late-create", startTime: now, model: "m-1", input: "go", level: "ERROR" },
    };
    // The update first: it stands alone until its create arrives.
    expect((await post(JSON.stringify({ batch: [update] }))).status).toBe(207);
    let { byName } = await rowsOf(traceId);
    expect(byName.get("generation")).toMatchObject({ kind: "llm", status: "success", inputTokens: 5 });
    expect((await post(JSON.stringify({ batch: [create] }))).status).toBe(207);
    ({ byName } = await rowsOf(traceId));
    expect([...byName.keys()]).toEqual(["late-create"]);
    expect(byName.get("late-create")).toMatchObject({
      model: "m-1",
      input: "go",
      output: [{ role: "assistant", content: "Done" }],
      inputTokens: 5,
      status: "error",
    });
    // A later update without a level keeps the error, and the name.
    const again = { ...update, id: uid("e"), body: { id: spanId, traceId, endTime: now, output: "Done again" } };
    expect((await post(JSON.stringify({ batch: [again] }))).status).toBe(207);
    ({ byName } = await rowsOf(traceId));
    expect(byName.get("late-create")).toMatchObject({
      status: "error",
      output: [{ role: "assistant", content: "Done again" }],
    });
  });

  it("answers each bad event with its reason in the 207 and stores its neighbours", async () => {
    const traceId = uid("trace");
    const good = {
      id: uid("e"),
      type: "trace-create",
      timestamp: new Date().toISOString(),
      body: { id: traceId, name: "kept" },
    };
    const badTime = { id: uid("e"), type: "span-create", timestamp: "yesterday", body: { id: uid("s"), traceId } };
    const badStart = { id: uid("e"), type: "span-create", body: { id: uid("s"), traceId, startTime: "not a date" } };
    const unknown = { id: uid("e"), type: "dataset-create", body: { id: "d" } };
    const noId = { type: "span-create", body: { id: uid("s"), traceId } };
    const noBodyId = { id: uid("e"), type: "span-create", body: { traceId } };
    const noTrace = { id: uid("e"), type: "span-create", body: { id: uid("s"), name: "orphan" } };
    const badId = { id: uid("e"), type: "span-create", body: { id: "has spaces", traceId } };
    const log = { id: uid("e"), type: "sdk-log", body: { log: "hello" } };
    const span = { id: uid("e"), type: "event-create", body: { id: uid("s"), traceId, name: "neighbour" } };
    const res = await post(
      JSON.stringify({ batch: [good, badTime, badStart, unknown, noId, noBodyId, noTrace, badId, log, span] }),
    );
    expect(res.status).toBe(207);
    const body = (await res.json()) as {
      successes: { id: string; status: number }[];
      errors: { id: string; status: number; message: string }[];
    };
    expect(body.successes).toEqual([
      { id: good.id, status: 201 },
      { id: log.id, status: 201 },
      { id: span.id, status: 201 },
    ]);
    const reasons = Object.fromEntries(body.errors.map((e) => [e.id, e]));
    expect(reasons[badTime.id]).toMatchObject({ status: 400, message: expect.stringMatching(/timestamp/) });
    expect(reasons[badStart.id]).toMatchObject({ status: 400, message: expect.stringMatching(/startTime/) });
    expect(reasons[unknown.id]).toMatchObject({ status: 400, message: expect.stringMatching(/unknown event type/) });
    expect(reasons[""]).toMatchObject({ status: 400, message: expect.stringMatching(/id is missing/) });
    expect(reasons[noBodyId.id]).toMatchObject({ status: 400, message: expect.stringMatching(/body\.id/) });
    expect(reasons[noTrace.id]).toMatchObject({ status: 400, message: expect.stringMatching(/traceId/) });
    expect(reasons[badId.id]).toMatchObject({ status: 400, message: expect.stringMatching(/id/) });
    expect(body.errors).toHaveLength(7);
    const { run, byName } = await rowsOf(traceId);
    expect(run).toMatchObject({ name: "kept" });
    expect([...byName.keys()]).toEqual(["neighbour"]);
  });

  it("refuses malformed JSON and a body without a batch with 400, and a wrong key with 401", async () => {
    const malformed = await post("{ not json");
    expect(malformed.status).toBe(400);
    const noBatch = await post(JSON.stringify({ events: [] }));
    expect(noBatch.status).toBe(400);
    expect(((await noBatch.json()) as { message: string }).message).toMatch(/batch/);
    const wrong = await post(JSON.stringify({ batch: [] }), "sk-lf-0000");
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { message: string }).message).toMatch(/API key/);
  });

  it("answers 404 for the Langfuse APIs Echos does not serve", async () => {
    const res = await fetch(`${server.url}/api/public/v2/prompts/greeting`, {
      headers: { authorization: `Basic ${Buffer.from(`pk:${key}`).toString("base64")}` },
    });
    expect(res.status).toBe(404);
  });
});
