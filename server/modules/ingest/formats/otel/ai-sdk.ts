import { count, type Dialect, isObj, parseJson, type Reading, str, parseAnyJson } from "./dialect.ts";
import type { ChatMessage } from "./gen-ai.ts";

/**
 * The Vercel AI SDK's telemetry.
 *
 * Up to version 6 (`experimental_telemetry`), spans are named by `ai.operationId`: an outer `ai.generateText` /
 * `ai.streamText` (…Object, embed…) around one `.doGenerate` / `.doStream` span per model call, and an `ai.toolCall`
 * span per tool execution. The outer span's usage is the sum of its model calls, so it is an aggregate. Messages
 * are the SDK's own JSON (`ai.prompt.messages`, `ai.response.text`, `ai.response.toolCalls`); they are turned into
 * the `{role, content, tool_calls}` messages the rest of Echos shows.
 *
 * Version 7 (`@ai-sdk/otel`) writes the GenAI conventions (read by gen-ai.ts): `invoke_agent` around `agent_step`
 * spans, each around its `chat` call and `execute_tool` spans. What is read here is that `invoke_agent` and
 * `agent_step` wrap model calls: both are agent steps, and the usage `invoke_agent` reports is the sum of the calls
 * below it.
 */

/** Operations whose span wraps the model calls (their usage is the sum of those calls). */
const OUTER = new Set([
  "ai.generateText",
  "ai.streamText",
  "ai.generateObject",
  "ai.streamObject",
  "ai.embed",
  "ai.embedMany",
]);
/** Operations whose span is one call to the model. */
const CALLS = new Set([
  "ai.generateText.doGenerate",
  "ai.streamText.doStream",
  "ai.generateObject.doGenerate",
  "ai.streamObject.doStream",
  "ai.embed.doEmbed",
  "ai.embedMany.doEmbed",
]);

const json = parseAnyJson;

const argumentsText = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v ?? {}));

/** The SDK's `{toolCallId, toolName, input | args}` as an OpenAI-style tool call. */
function toolCall(part: Record<string, unknown>) {
  return {
    id: part.toolCallId,
    type: "function",
    function: { name: part.toolName, arguments: argumentsText(part.input ?? part.args) },
  };
}

/** A tool result's value: `output` is `{type: "json" | "text" | …, value}` since v5, `result` before. */
function toolResultValue(part: Record<string, unknown>): unknown {
  const output = part.output;
  if (isObj(output) && "value" in output) return output.value;
  return output ?? part.result;
}

const isText = (p: unknown): p is { type: "text"; text: string } =>
  isObj(p) && p.type === "text" && typeof p.text === "string";

/**
 * One of the SDK's model messages as Echos messages: text parts joined, tool calls as `tool_calls`, and each tool
 * result as a `tool` message of its own (as OpenAI's API has them). Other parts (images, files, reasoning) are kept
 * as the content list.
 */
function fromModelMessage(raw: unknown): ChatMessage[] {
  if (!isObj(raw)) return [{ role: "user", content: raw }];
  const role = str(raw.role) ?? "user";
  const content = raw.content;
  if (!Array.isArray(content)) return [{ role, content }];
  if (role === "tool") {
    return content.filter(isObj).map((part) => ({
      role: "tool",
      tool_call_id: part.toolCallId,
      name: part.toolName,
      content: toolResultValue(part),
    }));
  }
  const calls = content.filter((p) => isObj(p) && p.type === "tool-call") as Record<string, unknown>[];
  const rest = content.filter((p) => !(isObj(p) && p.type === "tool-call"));
  const message: ChatMessage = {
    role,
    content: rest.every(isText) ? (rest.length > 0 ? rest.map((p) => p.text).join("") : null) : rest,
  };
  if (calls.length > 0) message.tool_calls = calls.map(toolCall);
  return [message];
}

/** `ai.prompt.messages`: the messages sent in one model call. */
function promptMessages(v: unknown): ChatMessage[] | undefined {
  const parsed = parseJson(v);
  return Array.isArray(parsed) ? parsed.flatMap(fromModelMessage) : undefined;
}

/** `ai.prompt` of an outer span: `{system?, prompt? | messages?}` as the caller passed them. */
function promptOf(v: unknown): unknown {
  const parsed = parseJson(v);
  if (!isObj(parsed)) return parsed;
  const messages: ChatMessage[] = [];
  if (typeof parsed.system === "string") messages.push({ role: "system", content: parsed.system });
  if (typeof parsed.prompt === "string") messages.push({ role: "user", content: parsed.prompt });
  else if (Array.isArray(parsed.prompt)) messages.push(...parsed.prompt.flatMap(fromModelMessage));
  if (Array.isArray(parsed.messages)) messages.push(...parsed.messages.flatMap(fromModelMessage));
  return messages.length > 0 ? messages : parsed;
}

/**
 * The model's answer: its text (or object) and tool calls, as one assistant message. Tool calls that are not the
 * SDK's list are left in the raw attributes.
 */
function responseOf(a: Record<string, unknown>, used: string[]): ChatMessage[] | undefined {
  const text = a["ai.response.text"];
  const object = a["ai.response.object"];
  const parsedCalls = json(a["ai.response.toolCalls"]);
  const calls = Array.isArray(parsedCalls) && parsedCalls.every(isObj) ? parsedCalls : undefined;
  if (text === undefined && object === undefined && calls === undefined) return undefined;
  if (text !== undefined) used.push("ai.response.text");
  if (object !== undefined) used.push("ai.response.object");
  if (calls !== undefined) used.push("ai.response.toolCalls");
  const message: ChatMessage = { role: "assistant", content: text ?? (object !== undefined ? json(object) : null) };
  if (calls && calls.length > 0) message.tool_calls = calls.map(toolCall);
  return [message];
}

const SETTINGS_PREFIX = "ai.settings.";

function readLegacy(a: Record<string, unknown>, operation: string): Reading {
  const used: string[] = [];
  const take = (key: string) => {
    if (a[key] === undefined) return undefined;
    used.push(key);
    return a[key];
  };
  const reading: Reading = { used, usedEvents: [] };

  if (operation === "ai.toolCall") {
    reading.kind = "tool";
    reading.name = str(a["ai.toolCall.name"]);
    const input = take("ai.toolCall.args") ?? take("ai.toolCall.input");
    const output = take("ai.toolCall.result") ?? take("ai.toolCall.output");
    if (input !== undefined) reading.input = json(input);
    if (output !== undefined) reading.output = json(output);
    return reading;
  }

  const outer = OUTER.has(operation);
  if (!outer && !CALLS.has(operation)) return reading;
  reading.kind = outer ? "agent" : "llm";
  reading.ownsTokens = !outer;
  // "ai.generateText weather-report": the operation with the caller's `functionId`, a better name for the run.
  if (outer && a["ai.telemetry.functionId"] !== undefined) reading.name = str(a["operation.name"]);
  reading.model = str(a["ai.response.model"]) ?? str(a["ai.model.id"]);
  if (outer && a["ai.prompt"] !== undefined) reading.input = promptOf(take("ai.prompt"));
  const messages = outer ? undefined : promptMessages(a["ai.prompt.messages"]);
  if (messages) {
    reading.input = messages;
    used.push("ai.prompt.messages");
  }
  if (a["ai.value"] !== undefined) reading.input ??= json(take("ai.value"));
  if (a["ai.values"] !== undefined) reading.input ??= take("ai.values");
  reading.output = responseOf(a, used);
  // Token names: inputTokens/outputTokens since v5, promptTokens/completionTokens before, tokens for embeddings.
  reading.inputTokens =
    count(a["ai.usage.inputTokens"]) ?? count(a["ai.usage.promptTokens"]) ?? count(a["ai.usage.tokens"]);
  reading.outputTokens = count(a["ai.usage.outputTokens"]) ?? count(a["ai.usage.completionTokens"]);
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(a)) {
    if (key.startsWith(SETTINGS_PREFIX)) {
      config[key.slice(SETTINGS_PREFIX.length)] = value;
      used.push(key);
    }
  }
  if (Object.keys(config).length > 0) reading.config = config;
  return reading;
}

export const aiSdk: Dialect = {
  name: "ai-sdk",
  read(span) {
    const a = span.attributes;
    const operation = str(a["ai.operationId"]);
    if (operation) return readLegacy(a, operation);
    const genAiOperation = str(a["gen_ai.operation.name"]);
    if (genAiOperation === "invoke_agent" || genAiOperation === "agent_step")
      return { kind: "agent", ownsTokens: false, used: [], usedEvents: [] };
    return null;
  },
};
