import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { startOpenAiServer } from "../helpers/openai-server.ts";
import { startTestServer } from "../helpers/server.ts";
import { runAgent, storedTrace } from "./run-agent.ts";

interface AgentSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  error: boolean;
}

describe("openai + @arizeai/openinference-instrumentation-openai, exported to Echos", () => {
  let server: RunningServer;
  let user: TestUser;
  let key: string;
  let model: Awaited<ReturnType<typeof startOpenAiServer>>;

  /** The instrumented application, in a process of its own. */
  const runOpenInferenceAgent = async (encoding: "json" | "proto", scenario: "agent" | "tool-error") =>
    (
      await runAgent<{ spans: AgentSpan[] }>("openinference-openai.mjs", {
        ECHOS_URL: server.url,
        ECHOS_KEY: key,
        MODEL_URL: model.url,
        ENCODING: encoding,
        SCENARIO: scenario,
      })
    ).spans;
  const stored = (traceId: string) => storedTrace(server, user.orgId, traceId);

  beforeAll(async () => {
    server = await startTestServer();
    user = await createUser(server.deps, "openinference");
    key = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "oi", scope: "ingest" })).key;
    model = await startOpenAiServer((body) =>
      (body.messages as { role: string }[]).at(-1)?.role === "tool"
        ? "Sunny in Paris."
        : { toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] },
    );
  });
  afterAll(async () => {
    await model?.close();
    await server?.shutdown();
  });

  for (const encoding of ["json", "proto"] as const) {
    it(`stores the agent, its model calls as messages, and its tool with arguments and result (${encoding})`, async () => {
      const agentSpans = await runOpenInferenceAgent(encoding, "agent");
      const root = agentSpans.find((s) => s.name === "weather-agent")!;
      const { run: storedRun, spans: stored_ } = await stored(root.traceId);
      expect(stored_).toHaveLength(4);
      const [first, second] = stored_.filter((s) => s.kind === "llm");
      const tool = stored_.find((s) => s.kind === "tool");
      const agent = stored_.find((s) => s.id === `otel-${root.spanId}`);

      expect(agent).toMatchObject({
        kind: "agent",
        name: "weather-agent",
        input: "Weather in Paris?",
        output: "Sunny in Paris.",
      });
      expect(storedRun).toMatchObject({
        name: "weather-service",
        input: "Weather in Paris?",
        output: "Sunny in Paris.",
      });

      const system = { role: "system", content: "You answer about the weather." };
      const user_ = { role: "user", content: "Weather in Paris?" };
      const toolCall = {
        id: expect.stringMatching(/^call_\d+_0$/),
        type: "function",
        function: { name: "get_weather", arguments: JSON.stringify({ city: "Paris" }) },
      };
      // The messages, not the request's JSON; the assistant's message, not the completion's JSON.
      expect(first).toMatchObject({
        kind: "llm",
        name: "OpenAI Chat Completions",
        parentId: agent!.id,
        model: "gpt-4o-mini",
        inputTokens: 40,
        outputTokens: 12,
        input: [system, user_],
        output: [{ role: "assistant", tool_calls: [toolCall], finish_reason: "tool_calls" }],
        config: { temperature: 0.1 },
      });
      const config = first!.config as { tools: { function: { name: string } }[] };
      expect(config.tools.map((t) => t.function.name)).toEqual(["get_weather"]);
      expect(first!.attributes).not.toHaveProperty("input.value");
      expect(first!.attributes).not.toHaveProperty("llm.input_messages.0.message.role");
      expect(first!.attributes).toMatchObject({ "llm.system": "openai", "llm.token_count.total": 52 });

      expect(tool).toMatchObject({
        kind: "tool",
        name: "get_weather",
        parentId: agent!.id,
        input: { city: "Paris" },
        output: { city: "Paris", sky: "sunny" },
        config: { parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
      });

      const callId = (first!.output as { tool_calls: { id: string }[] }[])[0]!.tool_calls[0]!.id;
      expect(second).toMatchObject({
        kind: "llm",
        status: "success",
        input: [
          system,
          user_,
          { role: "assistant", tool_calls: [{ ...toolCall, id: callId }] },
          { role: "tool", tool_call_id: callId, content: JSON.stringify({ city: "Paris", sky: "sunny" }) },
        ],
        output: [{ role: "assistant", content: "Sunny in Paris.", finish_reason: "stop" }],
        // The instrumentation records no usage on a streamed call, though the stream reported it.
        inputTokens: null,
        outputTokens: null,
      });
      // The agent's own tokens (none here) never add to the model calls': each call counted once.
      expect(storedRun).toMatchObject({ inputTokens: 40, outputTokens: 12 });
    });
  }

  it("stores a failed tool as an error, and the agent that it failed", async () => {
    const agentSpans = await runOpenInferenceAgent("proto", "tool-error");
    const root = agentSpans.find((s) => s.name === "weather-agent")!;
    const { spans: stored_ } = await stored(root.traceId);
    const tool = stored_.find((s) => s.kind === "tool");
    expect(tool).toMatchObject({ name: "get_weather", status: "error", input: { city: "Paris" } });
    expect(tool!.error).toContain("The weather service is down");
    expect(stored_.find((s) => s.id === `otel-${root.spanId}`)).toMatchObject({ kind: "agent", status: "error" });
  });
});
