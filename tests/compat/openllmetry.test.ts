import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IngestSpan } from "@shared/schemas/ingest.ts";
import { mapSpans } from "../../server/modules/ingest/formats/otel/index.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { startOpenAiServer } from "../helpers/openai-server.ts";
import { startTestServer } from "../helpers/server.ts";
import { otlpSpan } from "./otlp-span.ts";
import { runAgent, storedTrace } from "./run-agent.ts";
import { toolCallsOf } from "./tool-calls.ts";

/**
 * OpenLLMetry's Node SDK, run for real in a child process, exports through its own OTLP exporter to Echos, set up
 * by its own variables (`TRACELOOP_BASE_URL`, an Echos ingest key as `TRACELOOP_API_KEY`); its `openai`
 * instrumentation calls a model server on loopback.
 */
describe("OpenLLMetry (@traceloop/node-server-sdk)", () => {
  let server: RunningServer;
  let model: Awaited<ReturnType<typeof startOpenAiServer>>;
  let user: TestUser;
  let key: string;

  beforeAll(async () => {
    server = await startTestServer();
    user = await createUser(server.deps, "openllmetry");
    key = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "otel", scope: "ingest" })).key;
    model = await startOpenAiServer((body) => {
      const messages = body.messages as { role: string }[];
      if (body.tools && !messages.some((m) => m.role === "tool"))
        return { toolCalls: [{ name: "get_weather", arguments: { city: "Lisbon" } }] };
      return "Sunny and 21 degrees in Lisbon";
    });
  });
  afterAll(async () => {
    await model?.close();
    await server?.shutdown();
  });

  it("stores workflows, agents, tasks and tools with their input and output, and model calls with messages and tokens", async () => {
    const { traceId } = await runAgent<{ traceId: string }>("openllmetry-agent.ts", {
      TRACELOOP_BASE_URL: server.url,
      TRACELOOP_API_KEY: key,
      MODEL_URL: model.url,
    });
    const { run, spans } = await storedTrace(server, user.orgId, traceId);
    const byName = (name: string) => spans.filter((s) => s.name === name);

    expect(run).toMatchObject({
      name: "weather-desk",
      status: "success",
      input: { city: "Lisbon" },
      output: "Sunny and 21 degrees in Lisbon",
    });

    const [workflow] = byName("weather_report");
    const [agent] = byName("forecaster");
    const [tool] = byName("get_weather");
    const [task] = byName("summarise");
    expect(workflow).toMatchObject({ kind: "agent", parentId: null, input: { city: "Lisbon" } });
    expect(agent).toMatchObject({ kind: "agent", parentId: workflow!.id, output: "Sunny and 21 degrees in Lisbon" });
    expect(agent!.input).toBeNull();
    expect(tool).toMatchObject({
      kind: "tool",
      parentId: agent!.id,
      input: { city: "Lisbon" },
      output: { city: "Lisbon", sky: "sunny", c: 21 },
    });
    expect(task).toMatchObject({
      kind: "agent",
      parentId: workflow!.id,
      input: "Sunny and 21 degrees in Lisbon",
      output: "Sunny and 21 degrees in Lisbon",
    });
    // The wrappers' raw attributes stay; their JSON envelopes are not repeated.
    expect(tool!.attributes).toMatchObject({ "traceloop.span.kind": "tool", "traceloop.workflow.name": "forecaster" });
    expect(tool!.attributes).not.toHaveProperty("traceloop.entity.input");

    const calls = spans.filter((s) => s.kind === "llm");
    expect(calls).toHaveLength(3);
    expect(model.requests).toHaveLength(3);
    const [first, second, streamed] = calls;
    expect(first).toMatchObject({
      parentId: agent!.id,
      model: "gpt-4o-mini",
      inputTokens: 40,
      outputTokens: 12,
      input: [
        { role: "system", content: "You answer weather questions." },
        { role: "user", content: "What is the weather in Lisbon?" },
      ],
    });
    expect(toolCallsOf((first!.output as unknown[])[0])).toEqual([
      { name: "get_weather", arguments: { city: "Lisbon" } },
    ]);
    expect(second).toMatchObject({ parentId: agent!.id, inputTokens: 40, outputTokens: 6 });
    expect(second!.output).toMatchObject([{ role: "assistant", content: "Sunny and 21 degrees in Lisbon" }]);
    expect((second!.input as unknown[]).map((m) => (m as { role: string }).role)).toEqual([
      "system",
      "user",
      "assistant",
      "tool",
    ]);
    // A streamed call: the SDK counts its tokens itself rather than reading the stream's usage.
    expect(streamed).toMatchObject({
      parentId: task!.id,
      model: "gpt-4o-mini",
      input: [{ role: "user", content: "Summarise: Sunny and 21 degrees in Lisbon" }],
      output: [{ role: "assistant", content: "Sunny and 21 degrees in Lisbon" }],
    });
    expect(streamed!.inputTokens).toBeGreaterThan(0);
    expect(streamed!.outputTokens).toBeGreaterThan(0);

    // Each model call counted once; the wrappers carry no tokens of their own.
    for (const s of spans.filter((s) => s.kind !== "llm"))
      expect([s.inputTokens, s.outputTokens]).toEqual([null, null]);
    const sum = (field: "inputTokens" | "outputTokens") => calls.reduce((n, s) => n + (s[field] ?? 0), 0);
    expect(run).toMatchObject({ inputTokens: sum("inputTokens"), outputTokens: sum("outputTokens") });
  });
});

describe("the OpenLLMetry mapping, on what the current SDK does not send", () => {
  const mapOne = (attributes: Record<string, unknown>) => mapSpans([otlpSpan(attributes)]).items[0] as IngestSpan;

  it("nests the tool calls of the indexed messages older instrumentations write", () => {
    const span = mapOne({
      "llm.request.type": "chat",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.prompt.0.role": "user",
      "gen_ai.prompt.0.content": "What is the weather in Lisbon?",
      "gen_ai.completion.0.role": "assistant",
      "gen_ai.completion.0.finish_reason": "tool_calls",
      "gen_ai.completion.0.tool_calls.0.id": "call_1",
      "gen_ai.completion.0.tool_calls.0.name": "get_weather",
      "gen_ai.completion.0.tool_calls.0.arguments": '{"city":"Lisbon"}',
      "llm.usage.total_tokens": 52,
    });
    expect(span).toMatchObject({
      kind: "llm",
      model: "gpt-4o-mini",
      input: [{ role: "user", content: "What is the weather in Lisbon?" }],
      output: [
        {
          role: "assistant",
          finish_reason: "tool_calls",
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Lisbon"}' } },
          ],
        },
      ],
    });
    expect(span.attributes).toMatchObject({ "llm.request.type": "chat", "llm.usage.total_tokens": 52 });
    expect(span.attributes).not.toHaveProperty("gen_ai.completion.0.tool_calls.0.name");
  });

  it("keeps an entity's input and output as they came when they are not the SDK's JSON", () => {
    const span = mapOne({
      "traceloop.span.kind": "tool",
      "traceloop.entity.name": "lookup",
      "traceloop.entity.input": "{not json",
      "traceloop.entity.output": '{"args": "not a list", "kwargs": {}}',
      "traceloop.entity.version": 3,
    });
    expect(span).toMatchObject({
      name: "lookup",
      kind: "tool",
      input: "{not json",
      output: { args: "not a list", kwargs: {} },
      attributes: { "traceloop.entity.version": 3 },
    });
  });
});
