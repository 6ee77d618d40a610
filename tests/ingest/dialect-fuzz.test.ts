import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spans } from "../../db/schema.ts";
import { mapSpans } from "../../server/modules/ingest/formats/otel/index.ts";
import { validateItems } from "../../server/modules/ingest/validate.ts";
import { decodeJsonRequest } from "../../server/modules/otlp/decode.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { mulberry32 } from "../helpers/random.ts";
import { startTestServer } from "../helpers/server.ts";
import { ZOtlpExportResponse } from "@shared/schemas/ingest.ts";

/**
 * Spans that speak every dialect at once, and each one badly: the attributes the mappers read (GenAI, OpenInference,
 * OpenLLMetry, the AI SDK, Langfuse) with values of every wrong type and shape. No mapper error may lose a span:
 * each is mapped, stored with what could be read, its attributes kept. The seed is fixed and printed; FUZZ_SEED
 * replays another one.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 0xd1a1_ec75);
const CASES = 400;

const DEEP = `${"[".repeat(5_000)}${"]".repeat(5_000)}`;
const message = (role: string) => ({ role, content: "hi", tool_calls: [{ id: "c", function: { name: "f" } }] });

/** Values that each reader expects in some other shape. */
const VALUES: unknown[] = [
  "",
  "x",
  "null",
  "[",
  "{",
  "{}",
  "[]",
  "42",
  '"quoted"',
  "\u0000\ud800",
  DEEP,
  JSON.stringify([message("user"), message("assistant")]),
  JSON.stringify([{ role: 7 }, null, "text", [1]]),
  JSON.stringify({ parts: [{ type: "tool_call" }, { type: "tool_call_response" }, null] }),
  JSON.stringify([{ role: "user", parts: "not a list" }]),
  JSON.stringify([{ role: "assistant", parts: [{ type: "tool_call", arguments: { a: [1] } }, { type: "text" }] }]),
  JSON.stringify({ args: [1, { a: 2 }], kwargs: null }),
  JSON.stringify({ inputTokens: "many", outputTokens: -1 }),
  JSON.stringify([{ type: "tool-call", toolCallId: 1, toolName: null, input: "{" }]),
  JSON.stringify([{ role: "tool", content: [{ type: "tool-result", output: { type: "json" } }] }]),
  0,
  -1,
  1e308,
  2 ** 53,
  3.5,
  true,
  false,
  ["a", 1, null],
  [["nested"]],
  { nested: { deeper: [1, "two"] } },
];

const KEYS = [
  "gen_ai.operation.name",
  "gen_ai.system",
  "gen_ai.provider.name",
  "gen_ai.request.model",
  "gen_ai.response.model",
  "gen_ai.request.temperature",
  "gen_ai.usage.input_tokens",
  "gen_ai.usage.output_tokens",
  "gen_ai.usage.prompt_tokens",
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.system_instructions",
  "gen_ai.prompt.0.role",
  "gen_ai.prompt.0.content",
  "gen_ai.completion.0.content",
  "gen_ai.completion.0.tool_calls.0.name",
  "gen_ai.completion.0.tool_calls.0.arguments",
  "gen_ai.tool.name",
  "gen_ai.tool.call.arguments",
  "gen_ai.tool.call.result",
  "gen_ai.conversation.id",
  "error.type",
  "openinference.span.kind",
  "input.value",
  "output.value",
  "llm.model_name",
  "llm.invocation_parameters",
  "llm.token_count.prompt",
  "llm.token_count.completion",
  "llm.cost.total",
  "llm.input_messages.0.message.role",
  "llm.input_messages.0.message.content",
  "llm.output_messages.0.message.tool_calls.0.tool_call.function.name",
  "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments",
  "llm.tools.0.tool.json_schema",
  "tool.name",
  "tool.parameters",
  "traceloop.span.kind",
  "traceloop.entity.name",
  "traceloop.entity.input",
  "traceloop.entity.output",
  "llm.request.type",
  "ai.operationId",
  "ai.model.id",
  "ai.prompt",
  "ai.prompt.messages",
  "ai.response.text",
  "ai.response.toolCalls",
  "ai.response.object",
  "ai.toolCall.name",
  "ai.toolCall.args",
  "ai.toolCall.result",
  "ai.usage.inputTokens",
  "ai.usage.promptTokens",
  "ai.settings.maxRetries",
  "ai.telemetry.functionId",
  "langfuse.observation.type",
  "langfuse.observation.input",
  "langfuse.observation.output",
  "langfuse.observation.model.name",
  "langfuse.observation.model.parameters",
  "langfuse.observation.usage_details",
  "langfuse.observation.cost_details",
  "langfuse.observation.level",
  "langfuse.observation.status_message",
  "langfuse.trace.name",
  "langfuse.trace.input",
  "langfuse.trace.tags",
  "langfuse.trace.metadata",
  "langfuse.session.id",
  "session.id",
  "user.id",
];

/** Kinds worth naming in a kind attribute: each dialect's own, and nonsense. */
const KIND_VALUES: Record<string, unknown[]> = {
  "gen_ai.operation.name": ["chat", "invoke_agent", "agent_step", "execute_tool", "embeddings", "?"],
  "openinference.span.kind": ["LLM", "TOOL", "CHAIN", "AGENT", "RETRIEVER", "llm", "?"],
  "traceloop.span.kind": ["workflow", "task", "agent", "tool", "?"],
  "ai.operationId": ["ai.generateText", "ai.generateText.doGenerate", "ai.streamText.doStream", "ai.toolCall", "?"],
  "langfuse.observation.type": ["generation", "span", "agent", "tool", "event", "embedding", "?"],
  "langfuse.observation.level": ["ERROR", "WARNING", "DEFAULT", "?"],
};

/** A JS value as an OTLP/JSON AnyValue. */
function anyValue(v: unknown): Record<string, unknown> {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (v && typeof v === "object")
    return { kvlistValue: { values: Object.entries(v).map(([key, value]) => ({ key, value: anyValue(value) })) } };
  return {};
}

function fuzzRequest(random: () => number, traceId: string, index: number) {
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  const spanId = (i: number) => (index * 64 + i + 1).toString(16).padStart(16, "0");
  const count = 1 + int(6);
  const spans = Array.from({ length: count }, (_, i) => {
    const attributes = Array.from({ length: 1 + int(14) }, () => {
      const key = pick(KEYS);
      const value = KIND_VALUES[key] && random() < 0.7 ? pick(KIND_VALUES[key]) : pick(VALUES);
      return { key, value: anyValue(value) };
    });
    const events = Array.from({ length: int(3) }, () => ({
      name: pick(["gen_ai.user.message", "gen_ai.choice", "gen_ai.content.prompt", "exception", "other"]),
      timeUnixNano: "1700000000500000000",
      attributes: Array.from({ length: int(3) }, () => ({
        key: pick(["content", "message", "role", "gen_ai.prompt", "gen_ai.event.content", "exception.message"]),
        value: anyValue(pick(VALUES)),
      })),
    }));
    return {
      traceId,
      spanId: spanId(i),
      ...(i > 0 ? { parentSpanId: spanId(int(i)) } : {}),
      name: `fuzzed ${i}`,
      kind: int(6),
      startTimeUnixNano: "1700000000000000000",
      endTimeUnixNano: "1700000001000000000",
      attributes,
      events,
      status: { code: int(3), message: random() < 0.2 ? "failed" : "" },
    };
  });
  const resource = {
    attributes: [{ key: "service.name", value: anyValue(pick(["unknown_service:node", "fuzz", 7])) }],
  };
  return { resourceSpans: [{ resource, scopeSpans: [{ scope: { name: "fuzz" }, spans }] }] };
}

const DEPTH_REFUSAL = /nested deeper than 64 levels/;

describe("OpenTelemetry dialects on hostile attributes", () => {
  let server: RunningServer;
  let user: TestUser;
  let key: string;

  beforeAll(async () => {
    server = await startTestServer();
    user = await createUser(server.deps, "dialect-fuzz");
    key = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "f", scope: "ingest" })).key;
  });
  afterAll(() => server?.shutdown());

  it(`maps every span of ${CASES} generated requests, and each item is storable or refused for its depth alone`, () => {
    console.log(`dialect fuzz: seed ${SEED} (FUZZ_SEED=${SEED} replays it)`);
    for (let index = 0; index < CASES; index++) {
      const random = mulberry32(SEED ^ Math.imul(index + 1, 0x9e3779b1));
      const request = fuzzRequest(random, (index + 1).toString(16).padStart(32, "0"), index);
      const decoded = decodeJsonRequest(request);
      const { items, rejected } = mapSpans(decoded);
      expect(rejected, `case ${index}`).toEqual([]);
      expect(
        items.filter((i) => i.type === "span"),
        `case ${index}`,
      ).toHaveLength(decoded.length);
      for (const error of validateItems(items).errors) expect(error.error, `case ${index}`).toMatch(DEPTH_REFUSAL);
    }
  });

  it("stores what it maps: every span of generated exports answered 200 and found in the database", async () => {
    for (let index = 0; index < 40; index++) {
      const random = mulberry32(SEED ^ Math.imul(index + 7_001, 0x9e3779b1));
      const traceId = `${(index + 1).toString(16).padStart(8, "0")}${"ab".repeat(12)}`;
      const request = fuzzRequest(random, traceId, index);
      const res = await fetch(`${server.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": key },
        body: JSON.stringify(request),
      });
      expect(res.status, `case ${index}`).toBe(200);
      const answer = ZOtlpExportResponse.parse(await res.json());
      const refused = answer.partialSuccess?.rejectedSpans ?? 0;
      if (refused > 0) expect(answer.partialSuccess!.errorMessage).toMatch(DEPTH_REFUSAL);
      const sent = request.resourceSpans[0]!.scopeSpans[0]!.spans.length;
      const stored = await server.deps.database.db.$count(
        spans,
        and(eq(spans.orgId, user.orgId), eq(spans.runId, `otel-${traceId}`)),
      );
      expect(stored, `case ${index}`).toBe(sent - refused);
    }
  });
});
