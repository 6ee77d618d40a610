import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { startOpenAiServer } from "../helpers/openai-server.ts";
import { startTestServer } from "../helpers/server.ts";
import { runAgent, storedTrace } from "./run-agent.ts";

/**
 * The Langfuse v4+ SDK (`@langfuse/tracing` + `@langfuse/otel` 5.11) pointed at Echos by its base URL and keys only:
 * its span processor exports to `/api/public/otel/v1/traces` with HTTP Basic auth, and the `langfuse.*` attributes
 * it writes become kinds, models, messages, tokens, the cost it states, errors, and the run's name and session.
 */
describe("Langfuse v4+ SDK over OpenTelemetry", () => {
  let server: RunningServer;
  let model: Awaited<ReturnType<typeof startOpenAiServer>>;
  let user: TestUser;
  let key: string;

  beforeAll(async () => {
    server = await startTestServer();
    model = await startOpenAiServer((body) =>
      Array.isArray(body.tools)
        ? { toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] }
        : "Sunny and 18 C",
    );
    user = await createUser(server.deps, "langfuse-otel");
    key = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "lf", scope: "ingest" })).key;
  });
  afterAll(async () => {
    await model.close();
    await server.shutdown();
  });

  it("stores the agent's trace whole: kinds, model, messages, tokens, stated cost, tool, error, run name and session", async () => {
    // The SDK reads its own variables: only the base URL and the keys point it at Echos.
    const { traceId, answer } = await runAgent<{ traceId: string; answer: string }>("langfuse-otel-agent.ts", {
      LANGFUSE_BASE_URL: server.url,
      LANGFUSE_PUBLIC_KEY: "pk-lf-anything",
      LANGFUSE_SECRET_KEY: key,
      OPENAI_BASE_URL: model.url,
    });
    expect(answer).toBe("Sunny and 18 C");
    const { run: stored, spans: rows } = await storedTrace(server, user.orgId, traceId);
    const byName = new Map(rows.map((s) => [s.name, s]));
    expect([...byName.keys()].sort()).toEqual([
      "answer-call",
      "flaky-lookup",
      "get_weather",
      "plan-call",
      "weather-agent",
    ]);

    const root = byName.get("weather-agent")!;
    expect(root).toMatchObject({ kind: "agent", parentId: null, input: { question: "What is the weather in Paris?" } });
    expect(root.output).toEqual({ answer: "Sunny and 18 C" });

    const plan = byName.get("plan-call")!;
    expect(plan).toMatchObject({
      kind: "llm",
      parentId: root.id,
      model: "gpt-4o-mini",
      inputTokens: 40,
      outputTokens: 12,
      costUsd: 0.0003,
      config: { temperature: 0.2, max_tokens: 100 },
    });
    expect(plan.input).toEqual([
      { role: "system", content: "You are a weather assistant." },
      { role: "user", content: "What is the weather in Paris?" },
    ]);
    expect(plan.output).toEqual([
      expect.objectContaining({
        role: "assistant",
        tool_calls: [
          expect.objectContaining({
            type: "function",
            function: { name: "get_weather", arguments: JSON.stringify({ city: "Paris" }) },
          }),
        ],
      }),
    ]);
    // Consumed attributes leave the raw attributes; the rest (metadata, session) stays.
    expect(plan.attributes).not.toHaveProperty("langfuse.observation.input");
    expect(plan.attributes).toHaveProperty("session.id", "session-otel-1");

    const tool = byName.get("get_weather")!;
    expect(tool).toMatchObject({ kind: "tool", parentId: root.id, input: { city: "Paris" } });
    expect(tool.output).toEqual({ temperature: 18, unit: "C" });

    const failed = byName.get("flaky-lookup")!;
    expect(failed).toMatchObject({ kind: "custom", status: "error", error: "lookup service unavailable" });

    const answerCall = byName.get("answer-call")!;
    expect(answerCall).toMatchObject({ kind: "llm", model: "gpt-4o-mini", inputTokens: 40, outputTokens: 4 });
    expect(answerCall.output).toEqual([{ role: "assistant", content: "Sunny and 18 C" }]);

    expect(stored).toMatchObject({
      name: "weather-question",
      conversationId: "session-otel-1",
      tags: ["langfuse-otel", "weather"],
      input: { question: "What is the weather in Paris?" },
      output: { answer: "Sunny and 18 C" },
      // Each model call counted once: the agent span carries no tokens of its own.
      inputTokens: 80,
      outputTokens: 16,
    });
    expect(stored!.metadata).toMatchObject({ plan: "pro", "langfuse.userId": "user-42" });
  });

  it("refuses a wrong secret key with 401 and a reason, as Langfuse does", async () => {
    const basic = (pair: string) => `Basic ${Buffer.from(pair).toString("base64")}`;
    const post = (authorization?: string) =>
      fetch(`${server.url}/api/public/otel/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ resourceSpans: [] }),
      });
    const wrong = await post(basic("pk-lf-1:sk-lf-not-an-echos-key"));
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { message: string }).message).toMatch(/Malformed API key/);
    const none = await post();
    expect(none.status).toBe(401);
    expect(((await none.json()) as { message: string }).message).toMatch(/Basic auth/);
    const noSecret = await post(basic(`${key}:`));
    expect(noSecret.status).toBe(401);
    expect(((await noSecret.json()) as { message: string }).message).toMatch(/secret key/);
    const right = await post(basic(`pk-lf-anything:${key}`));
    expect(right.status).toBe(200);
  });
});
