import type { IngestSpan } from "@shared/schemas/ingest.ts";
import { type Dialect, isObj, type Reading, str, parseAnyJson } from "./dialect.ts";
import { type ChatMessage, indexedMessages } from "./gen-ai.ts";

/**
 * OpenLLMetry (Traceloop): the spans its `withWorkflow` / `withTask` / `withAgent` / `withTool` wrappers write
 * (`traceloop.span.kind`, `traceloop.entity.name`, `traceloop.entity.input` / `.output` as JSON), and the model
 * calls of its instrumentations. Those speak the GenAI conventions (read by gen-ai.ts); what is read here is what
 * they add: `llm.request.type` marking a model call, and the older indexed messages whose tool calls are flattened
 * into `gen_ai.completion.N.tool_calls.M.*`.
 */

/**
 * A task is a step of a workflow that usually wraps model or tool calls, so it is shown as an agent step like the
 * workflow and the agent around it; a tool is a tool.
 */
const KINDS: Record<string, IngestSpan["kind"]> = {
  workflow: "agent",
  task: "agent",
  agent: "agent",
  tool: "tool",
};

/** `llm.request.type` values of a model call. */
const LLM_REQUEST_TYPES = new Set(["chat", "completion", "embedding", "rerank"]);

const json = parseAnyJson;

/**
 * The SDK records a function's arguments as `{args: [...], kwargs: {...}}`: an object argument as `kwargs`, others
 * positionally. What a reader wants is the arguments themselves: the object, the single value, or the list.
 */
export function unwrapEntityInput(raw: unknown): unknown {
  const parsed = json(raw);
  if (!isObj(parsed) || !Array.isArray(parsed.args) || !isObj(parsed.kwargs)) return parsed;
  const { args, kwargs } = parsed;
  const hasKwargs = Object.keys(kwargs).length > 0;
  if (args.length === 0) return hasKwargs ? kwargs : undefined;
  if (!hasKwargs) return args.length === 1 ? args[0] : args;
  return parsed;
}

/** `tool_calls.0.name`, `tool_calls.0.arguments`… of an indexed message, as OpenAI-style `tool_calls`. */
function nestToolCalls(message: ChatMessage): ChatMessage {
  const calls = new Map<number, Record<string, unknown>>();
  const rest: ChatMessage = { role: message.role, content: message.content };
  for (const [key, value] of Object.entries(message)) {
    const m = /^tool_calls\.(\d+)\.(.+)$/.exec(key);
    if (!m) {
      if (key !== "role" && key !== "content") rest[key] = value;
      continue;
    }
    const call = calls.get(Number(m[1])) ?? {};
    call[m[2]!] = value;
    calls.set(Number(m[1]), call);
  }
  if (calls.size === 0) return message;
  rest.tool_calls = [...calls]
    .sort(([a], [b]) => a - b)
    .map(([, call]) => ({
      id: call.id,
      type: "function",
      function: {
        name: call.name,
        arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments ?? {}),
      },
    }));
  return rest;
}

/** Indexed messages with tool calls nested; undefined (left to gen-ai.ts) when none of them has a tool call. */
function indexedWithToolCalls(attributes: Record<string, unknown>, prefix: string, defaultRole: string) {
  const hasToolCalls = Object.keys(attributes).some(
    (k) => k.startsWith(prefix) && /^\d+\.tool_calls\./.test(k.slice(prefix.length)),
  );
  if (!hasToolCalls) return undefined;
  const { messages, used } = indexedMessages(attributes, prefix, defaultRole);
  return messages ? { messages: messages.map(nestToolCalls), used } : undefined;
}

export const openLlmetry: Dialect = {
  name: "openllmetry",
  read(span) {
    const a = span.attributes;
    const spanKind = str(a["traceloop.span.kind"]);
    const requestType = str(a["llm.request.type"]);
    if (!spanKind && !requestType) return null;
    const used: string[] = [];
    const reading: Reading = { used, usedEvents: [] };

    if (spanKind) {
      reading.kind = KINDS[spanKind];
      reading.name = str(a["traceloop.entity.name"]);
      if (a["traceloop.entity.input"] !== undefined) {
        reading.input = unwrapEntityInput(a["traceloop.entity.input"]);
        used.push("traceloop.entity.input");
      }
      if (a["traceloop.entity.output"] !== undefined) {
        reading.output = json(a["traceloop.entity.output"]);
        used.push("traceloop.entity.output");
      }
      return reading;
    }

    if (requestType && LLM_REQUEST_TYPES.has(requestType)) reading.kind = "llm";
    const prompt = indexedWithToolCalls(a, "gen_ai.prompt.", "user");
    if (prompt) {
      reading.input = prompt.messages;
      used.push(...prompt.used);
    }
    const completion = indexedWithToolCalls(a, "gen_ai.completion.", "assistant");
    if (completion) {
      reading.output = completion.messages;
      used.push(...completion.used);
    }
    return reading;
  },
};
