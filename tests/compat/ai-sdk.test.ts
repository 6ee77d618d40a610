import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { OpenTelemetry } from "@ai-sdk/otel";
import { createOpenAI as createOpenAi4 } from "@ai-sdk/openai";
import * as ai7 from "ai";
import * as ai6 from "ai-v6";
import { createOpenAI as createOpenAi3 } from "ai-sdk-openai-v3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IngestSpan } from "@shared/schemas/ingest.ts";
import { mapSpans } from "../../server/modules/ingest/formats/otel/index.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { startOpenAiServer } from "../helpers/openai-server.ts";
import { startTestServer } from "../helpers/server.ts";
import { otlpSpan } from "./otlp-span.ts";
import { storedTrace } from "./run-agent.ts";
import { toolCallsOf } from "./tool-calls.ts";

/**
 * The AI SDK 6 (`experimental_telemetry`) and 7 (`@ai-sdk/otel`) with their OpenAI providers, calling a model server
 * on loopback, their spans exported by the real OTLP exporter to Echos. Both take the tracer per call, so they run
 * in this worker; the context manager is what an application's OpenTelemetry setup (NodeSDK) registers.
 */

const SYSTEM = "You answer weather questions.";
const QUESTION = "What is the weather in Lisbon?";
const ANSWER = "Sunny and 21 degrees in Lisbon";
const WEATHER = { city: "Lisbon", sky: "sunny", c: 21 };
const weatherSchema = (): { type: "object"; properties: Record<string, { type: "string" }>; required: string[] } => ({
  type: "object",
  properties: { city: { type: "string" } },
  required: ["city"],
});

type Stored = Awaited<ReturnType<typeof storedTrace>>;

describe("Vercel AI SDK telemetry", () => {
  let server: RunningServer;
  let model: Awaited<ReturnType<typeof startOpenAiServer>>;
  let user: TestUser;
  let key: string;
  const contextManager = new AsyncLocalStorageContextManager();

  beforeAll(async () => {
    context.setGlobalContextManager(contextManager.enable());
    server = await startTestServer();
    user = await createUser(server.deps, "ai-sdk");
    key = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "otel", scope: "ingest" })).key;
    model = await startOpenAiServer((body) => {
      const messages = body.messages as { role: string }[];
      if (body.tools && !messages.some((m) => m.role === "tool"))
        return { toolCalls: [{ name: "get_weather", arguments: { city: "Lisbon" } }] };
      return ANSWER;
    });
  });
  afterAll(async () => {
    await model?.close();
    await server?.shutdown();
    context.disable();
  });

  /**
   * Runs `work` with a tracer exporting to Echos, and returns the stored trace the library produced (one root) and
   * how many model calls the loopback server answered meanwhile.
   */
  async function traced(work: (tracer: ReturnType<BasicTracerProvider["getTracer"]>) => Promise<unknown>) {
    const exporter = new OTLPTraceExporter({ url: `${server.url}/v1/traces`, headers: { "x-api-key": key } });
    const captured = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "weather-desk" }),
      spanProcessors: [new SimpleSpanProcessor(exporter), new SimpleSpanProcessor(captured)],
    });
    const before = model.requests.length;
    await work(provider.getTracer("weather-desk"));
    await provider.forceFlush();
    // Read before shutting down: shutdown empties the in-memory exporter.
    const traceIds = new Set(captured.getFinishedSpans().map((s) => s.spanContext().traceId));
    await provider.shutdown();
    expect(traceIds.size).toBe(1);
    const stored = await storedTrace(server, user.orgId, [...traceIds][0]!);
    return { ...stored, calls: model.requests.length - before };
  }

  /** Each model call counted once: the run's totals are what the model server reported for the calls it answered. */
  function expectTotalsOfCalls({ run, spans }: Stored, calls: { input: number; output: number }[]) {
    const llm = spans.filter((s) => s.kind === "llm");
    expect(llm.map((s) => ({ input: s.inputTokens, output: s.outputTokens }))).toEqual(calls);
    for (const s of spans.filter((s) => s.kind !== "llm"))
      expect([s.inputTokens, s.outputTokens]).toEqual([null, null]);
    expect(run).toMatchObject({
      inputTokens: calls.reduce((n, c) => n + c.input, 0),
      outputTokens: calls.reduce((n, c) => n + c.output, 0),
    });
  }

  describe("AI SDK 6 (ai@6, @ai-sdk/openai@3)", () => {
    const provider = () => createOpenAi3({ baseURL: model.url, apiKey: "sk-test" });
    const weather = ai6.tool({
      description: "The weather in a city",
      inputSchema: ai6.jsonSchema<{ city: string }>(weatherSchema()),
      execute: async () => Promise.resolve(WEATHER),
    });

    it("generateText with a tool: the call, each model call with messages and tool calls, the tool with its arguments and result", async () => {
      const stored = await traced((tracer) =>
        ai6.generateText({
          model: provider().chat("gpt-4o-mini"),
          system: SYSTEM,
          prompt: QUESTION,
          tools: { get_weather: weather },
          stopWhen: ai6.stepCountIs(3),
          experimental_telemetry: {
            isEnabled: true,
            tracer,
            functionId: "weather-report",
            metadata: { customer: "c-1" },
          },
        }),
      );
      const { run, spans } = stored;
      expect(stored.calls).toBe(2);
      expect(run).toMatchObject({
        name: "weather-desk",
        status: "success",
        input: [
          { role: "system", content: SYSTEM },
          { role: "user", content: QUESTION },
        ],
      });
      const [outer, first, tool, second] = spans;
      expect(outer).toMatchObject({ name: "ai.generateText weather-report", kind: "agent", parentId: null });
      expect(outer!.output).toEqual([{ role: "assistant", content: ANSWER }]);
      // The aggregate's usage stays readable, but is not counted again.
      expect(outer!.attributes).toMatchObject({
        "ai.usage.inputTokens": 80,
        "ai.telemetry.functionId": "weather-report",
        "ai.telemetry.metadata.customer": "c-1",
      });

      expect(first).toMatchObject({
        name: "ai.generateText.doGenerate",
        kind: "llm",
        parentId: outer!.id,
        model: "gpt-4o-mini",
        input: [
          { role: "system", content: SYSTEM },
          { role: "user", content: QUESTION },
        ],
      });
      expect(toolCallsOf((first!.output as unknown[])[0])).toEqual([
        { name: "get_weather", arguments: { city: "Lisbon" } },
      ]);
      expect(tool).toMatchObject({
        name: "get_weather",
        kind: "tool",
        parentId: outer!.id,
        input: { city: "Lisbon" },
        output: WEATHER,
      });
      expect(second).toMatchObject({
        kind: "llm",
        parentId: outer!.id,
        output: [{ role: "assistant", content: ANSWER }],
      });
      const history = second!.input as Record<string, unknown>[];
      expect(history.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool"]);
      expect(toolCallsOf(history[2])).toEqual([{ name: "get_weather", arguments: { city: "Lisbon" } }]);
      expect(history[3]).toMatchObject({ role: "tool", name: "get_weather", content: WEATHER });

      expectTotalsOfCalls(stored, [
        { input: 40, output: 12 },
        { input: 40, output: 6 },
      ]);
    });

    it("streamText: the streamed call with its text, tokens and time to first chunk", async () => {
      const stored = await traced(async (tracer) => {
        const result = ai6.streamText({
          model: provider().chat("gpt-4o-mini"),
          prompt: "Say hi",
          experimental_telemetry: { isEnabled: true, tracer },
        });
        await result.consumeStream();
      });
      const [outer, call] = stored.spans;
      expect(outer).toMatchObject({
        name: "ai.streamText",
        kind: "agent",
        output: [{ role: "assistant", content: ANSWER }],
      });
      expect(call).toMatchObject({
        name: "ai.streamText.doStream",
        kind: "llm",
        parentId: outer!.id,
        model: "gpt-4o-mini",
        input: [{ role: "user", content: "Say hi" }],
        output: [{ role: "assistant", content: ANSWER }],
      });
      expect(call!.attributes["ai.response.msToFirstChunk"]).toEqual(expect.any(Number));
      expectTotalsOfCalls(stored, [{ input: 40, output: 6 }]);
    });

    it("an error from the model server fails the call and the run", async () => {
      const broken = createOpenAi3({ baseURL: `${model.url}/missing`, apiKey: "sk-test" });
      const stored = await traced((tracer) =>
        ai6
          .generateText({
            model: broken.chat("gpt-4o-mini"),
            prompt: "Hello?",
            maxRetries: 0,
            experimental_telemetry: { isEnabled: true, tracer },
          })
          .catch((error: unknown) => error),
      );
      expect(stored.run).toMatchObject({ status: "error", error: "Not Found" });
      expect(stored.spans.map((s) => [s.kind, s.status, s.error])).toEqual([
        ["agent", "error", "Not Found"],
        ["llm", "error", "Not Found"],
      ]);
      expect(stored.spans[1]).toMatchObject({ input: [{ role: "user", content: "Hello?" }] });
    });
  });

  describe("AI SDK 7 (ai@7, @ai-sdk/openai@4, @ai-sdk/otel@1)", () => {
    const provider = () => createOpenAi4({ baseURL: model.url, apiKey: "sk-test" });
    const weather = ai7.tool({
      description: "The weather in a city",
      inputSchema: ai7.jsonSchema<{ city: string }>(weatherSchema()),
      execute: async () => Promise.resolve(WEATHER),
    });
    const telemetry = (tracer: ReturnType<BasicTracerProvider["getTracer"]>) => ({
      integrations: new OpenTelemetry({ tracer }),
      functionId: "weather-report",
    });

    it("generateText with a tool: the agent, its steps, each chat call and the tool, each model call counted once", async () => {
      const stored = await traced((tracer) =>
        ai7.generateText({
          model: provider().chat("gpt-4o-mini"),
          system: SYSTEM,
          prompt: QUESTION,
          tools: { get_weather: weather },
          stopWhen: ai7.isStepCount(3),
          telemetry: telemetry(tracer),
        }),
      );
      expect(stored.calls).toBe(2);
      const { run, spans } = stored;
      const agent = spans.find((s) => s.parentId === null)!;
      const steps = spans.filter((s) => s.attributes["gen_ai.operation.name"] === "agent_step");
      const chats = spans.filter((s) => s.kind === "llm");
      const tool = spans.find((s) => s.kind === "tool");
      expect(run).toMatchObject({ name: "weather-desk", status: "success" });
      expect(agent).toMatchObject({ name: "invoke_agent gpt-4o-mini", kind: "agent", model: "gpt-4o-mini" });
      expect(agent.attributes).toMatchObject({ "gen_ai.usage.input_tokens": 80, "gen_ai.usage.output_tokens": 18 });
      expect(steps.map((s) => [s.name, s.kind, s.parentId])).toEqual([
        ["step 1", "agent", agent.id],
        ["step 2", "agent", agent.id],
      ]);
      expect(chats.map((s) => s.parentId)).toEqual(steps.map((s) => s.id));
      expect(chats[0]).toMatchObject({
        model: "gpt-4o-mini",
        input: [
          { role: "system", content: SYSTEM },
          { role: "user", content: QUESTION },
        ],
      });
      expect(toolCallsOf((chats[0]!.output as unknown[])[0])).toEqual([
        { name: "get_weather", arguments: { city: "Lisbon" } },
      ]);
      expect(chats[1]).toMatchObject({ output: [{ role: "assistant", content: ANSWER }] });
      expect(tool).toMatchObject({ parentId: steps[0]!.id, input: { city: "Lisbon" }, output: WEATHER });
      expectTotalsOfCalls(stored, [
        { input: 40, output: 12 },
        { input: 40, output: 6 },
      ]);
    });

    it("streamText: the streamed chat call with its text, tokens and time to first chunk", async () => {
      const stored = await traced(async (tracer) => {
        const result = ai7.streamText({
          model: provider().chat("gpt-4o-mini"),
          prompt: "Say hi",
          telemetry: telemetry(tracer),
        });
        await result.consumeStream();
      });
      const chat = stored.spans.find((s) => s.kind === "llm");
      expect(chat).toMatchObject({
        model: "gpt-4o-mini",
        input: [{ role: "user", content: "Say hi" }],
        output: [{ role: "assistant", content: ANSWER }],
      });
      expect(chat!.attributes["gen_ai.client.operation.time_to_first_chunk"]).toEqual(expect.any(Number));
      expectTotalsOfCalls(stored, [{ input: 40, output: 6 }]);
    });

    it("an error from the model server fails the chat call, its step and the run", async () => {
      const broken = createOpenAi4({ baseURL: `${model.url}/missing`, apiKey: "sk-test" });
      const stored = await traced((tracer) =>
        ai7
          .generateText({
            model: broken.chat("gpt-4o-mini"),
            prompt: "Hello?",
            maxRetries: 0,
            telemetry: telemetry(tracer),
          })
          .catch((error: unknown) => error),
      );
      expect(stored.run).toMatchObject({ status: "error", error: "Not Found" });
      expect(stored.spans.map((s) => [s.kind, s.status, s.error]).sort()).toEqual([
        ["agent", "error", "Not Found"],
        ["agent", "error", "Not Found"],
        ["llm", "error", "Not Found"],
      ]);
    });
  });
});

describe("the AI SDK mapping, on attributes it does not expect", () => {
  const mapOne = (attributes: Record<string, unknown>) => mapSpans([otlpSpan(attributes)]).items[0] as IngestSpan;

  it("stores a model call whose messages are not the SDK's JSON with what could be read", () => {
    const span = mapOne({
      "ai.operationId": "ai.generateText.doGenerate",
      "ai.model.id": "gpt-4o-mini",
      "ai.prompt.messages": "{truncated",
      "ai.response.text": "Partial",
      "ai.response.toolCalls": "[1, null]",
      "ai.usage.inputTokens": -3,
      "ai.usage.outputTokens": 7,
    });
    expect(span).toMatchObject({
      kind: "llm",
      model: "gpt-4o-mini",
      inputTokens: null,
      outputTokens: 7,
      output: [{ role: "assistant", content: "Partial" }],
      attributes: {
        "ai.prompt.messages": "{truncated",
        "ai.response.toolCalls": "[1, null]",
        "ai.usage.inputTokens": -3,
      },
    });
    expect(span.input).toBeUndefined();
  });

  it("reads the token names of earlier versions and a tool call's `input`/`output`", () => {
    const call = mapOne({
      "ai.operationId": "ai.streamText.doStream",
      "ai.model.id": "gpt-4o",
      "ai.usage.promptTokens": 11,
      "ai.usage.completionTokens": 5,
      "ai.response.text": "Hi",
    });
    expect(call).toMatchObject({
      kind: "llm",
      inputTokens: 11,
      outputTokens: 5,
      output: [{ role: "assistant", content: "Hi" }],
    });
    const tool = mapOne({
      "ai.operationId": "ai.toolCall",
      "ai.toolCall.name": "search",
      "ai.toolCall.input": '{"q":"echos"}',
      "ai.toolCall.output": "plain text",
    });
    expect(tool).toMatchObject({ name: "search", kind: "tool", input: { q: "echos" }, output: "plain text" });
  });
});
