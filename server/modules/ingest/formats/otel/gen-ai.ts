import type { IngestSpan } from "@shared/schemas/ingest.ts";
import type { OtlpEvent, OtlpSpan } from "../../../otlp/decode.ts";
import { count, type Dialect, isObj, parseJson, type Reading, str } from "./dialect.ts";

/**
 * The OpenTelemetry GenAI semantic conventions: `gen_ai.*` attributes (the current structured
 * `gen_ai.input.messages` / `gen_ai.output.messages`, and the older indexed `gen_ai.prompt.N.*` /
 * `gen_ai.completion.N.*` that OpenLLMetry also writes), message span events (`gen_ai.user.message`,
 * `gen_ai.choice`…), old and new token names. The fallback every other dialect is read before.
 */

// ---------------------------------------------------------------------------------------------------------------
// Messages

export interface ChatMessage {
  role: string;
  content: unknown;
  [extra: string]: unknown;
}

/** `parts` of the structured message format (gen_ai.input.messages): plain text when all parts are text. */
export function contentOfParts(parts: unknown): unknown {
  if (!Array.isArray(parts)) return parts;
  const texts = parts.map((p) => (isObj(p) && p.type === "text" ? str(p.content) : undefined));
  return texts.every((t) => t !== undefined) ? texts.join("") : parts;
}

const isPart =
  (type: string) =>
  (p: unknown): p is Record<string, unknown> =>
    isObj(p) && p.type === type;

/**
 * A structured message's parts as the chat message the rest of Echos shows: `tool_call` parts become OpenAI-style
 * `tool_calls` (arguments as JSON text), a `tool_call_response` part the content of a tool message answering its
 * call, the remaining parts the content (plain text when they are all text).
 */
function fromParts(role: string, parts: unknown[]): ChatMessage {
  const calls = parts.filter(isPart("tool_call"));
  const responses = parts.filter(isPart("tool_call_response"));
  const rest = parts.filter((p) => !calls.includes(p as never) && !responses.includes(p as never));
  const message: ChatMessage = { role, content: rest.length > 0 ? contentOfParts(rest) : null };
  if (calls.length > 0) {
    message.tool_calls = calls.map((call) => ({
      id: call.id,
      type: "function",
      function: {
        name: call.name,
        arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments ?? {}),
      },
    }));
  }
  if (responses.length === 1 && rest.length === 0) {
    const [response] = responses;
    if (role === "user" || role === "tool") message.role = "tool";
    message.tool_call_id = response!.id;
    message.content = parseJson(response!.response ?? response!.result ?? null);
  } else if (responses.length > 0) {
    // Several answers, or answers beside text, in one message: kept as they came.
    message.content = parts;
  }
  return message;
}

/** One message in any of the shapes producers use, as `{role, content, …extra}`. */
export function toMessage(raw: unknown, defaultRole: string): ChatMessage {
  if (!isObj(raw)) return { role: defaultRole, content: raw };
  const { role, content, parts, ...extra } = raw;
  const name = str(role) ?? defaultRole;
  const message: ChatMessage =
    content === undefined && Array.isArray(parts)
      ? fromParts(name, parts)
      : { role: name, content: content !== undefined ? parseContent(content) : contentOfParts(parts) };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null) message[k] = parseJson(v);
  return message;
}

/** Content stays a string unless it is a structured list (some producers send content parts as JSON). */
function parseContent(content: unknown): unknown {
  const parsed = parseJson(content);
  return Array.isArray(parsed) ? parsed : content;
}

/** A JSON list of messages (gen_ai.input.messages, gen_ai.prompt…); a lone object counts as one message. */
export function messageList(v: unknown, defaultRole: string): ChatMessage[] | undefined {
  const parsed = parseJson(v);
  if (Array.isArray(parsed)) return parsed.map((m) => toMessage(m, defaultRole));
  if (isObj(parsed)) return [toMessage(parsed, defaultRole)];
  return undefined;
}

const MESSAGE_EVENTS: Record<string, string> = {
  "gen_ai.system.message": "system",
  "gen_ai.user.message": "user",
  "gen_ai.assistant.message": "assistant",
  "gen_ai.tool.message": "tool",
};

/** A message event's attributes; older instrumentations put the whole body, as JSON, in `gen_ai.event.content`. */
function eventMessageAttributes(event: OtlpEvent): Record<string, unknown> {
  const a = { ...event.attributes };
  const body = parseJson(a["gen_ai.event.content"]);
  delete a["gen_ai.event.content"];
  delete a["gen_ai.system"];
  delete a["gen_ai.provider.name"];
  return isObj(body) ? { ...body, ...a } : a;
}

/**
 * A message span event (`gen_ai.user.message` …): content, and maybe role, tool calls, id. A tool message's `id`
 * is the id of the call it answers: named `tool_call_id`, as in the messages a model is sent.
 */
function eventMessage(event: OtlpEvent, defaultRole: string): ChatMessage {
  const { id, ...rest } = eventMessageAttributes(event);
  if (defaultRole === "tool" && id !== undefined && rest.tool_call_id === undefined) rest.tool_call_id = id;
  else if (id !== undefined) rest.id = id;
  return toMessage(rest, defaultRole);
}

/** A `gen_ai.choice` event: `message` (an object, or JSON) or `content`, with `index` and `finish_reason`. */
function choiceMessage(event: OtlpEvent): ChatMessage {
  const { message, content, ...rest } = eventMessageAttributes(event);
  const parsed = parseJson(message);
  const base: ChatMessage = isObj(parsed)
    ? toMessage(parsed, "assistant")
    : { role: "assistant", content: content ?? parsed ?? null };
  if (isObj(parsed) && base.content === undefined && content !== undefined) base.content = content;
  for (const [k, v] of Object.entries(rest)) if (v !== undefined && v !== null && !(k in base)) base[k] = v;
  return base;
}

/** `gen_ai.prompt.0.role`, `gen_ai.prompt.0.content`, … → messages, in index order. */
export function indexedMessages(attributes: Record<string, unknown>, prefix: string, defaultRole: string) {
  const byIndex = new Map<number, Record<string, unknown>>();
  const used: string[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    const m = key.startsWith(prefix) ? /^(\d+)\.(.+)$/.exec(key.slice(prefix.length)) : null;
    if (!m) continue;
    used.push(key);
    const index = Number(m[1]);
    const entry = byIndex.get(index) ?? {};
    entry[m[2]!] = value;
    byIndex.set(index, entry);
  }
  const messages = [...byIndex].sort(([a], [b]) => a - b).map(([, fields]) => toMessage(fields, defaultRole));
  return { messages: messages.length > 0 ? messages : undefined, used };
}

interface Extracted {
  input?: unknown;
  output?: unknown;
  /** Attribute keys consumed into input/output, left out of `attributes`. */
  used: string[];
  /** Events consumed into input/output, left out of `otel.events`. */
  usedEvents: Set<OtlpEvent>;
}

export function extractMessages(span: OtlpSpan): Extracted {
  const a = span.attributes;
  const used: string[] = [];
  const usedEvents = new Set<OtlpEvent>();

  const prompt: ChatMessage[] = [];
  const completion: ChatMessage[] = [];
  for (const event of span.events) {
    const role = MESSAGE_EVENTS[event.name];
    if (role) {
      prompt.push(eventMessage(event, role));
      usedEvents.add(event);
    } else if (event.name === "gen_ai.choice") {
      completion.push(choiceMessage(event));
      usedEvents.add(event);
    } else if (event.name === "gen_ai.content.prompt") {
      const list = messageList(event.attributes["gen_ai.prompt"], "user");
      if (list) prompt.push(...list);
      usedEvents.add(event);
    } else if (event.name === "gen_ai.content.completion") {
      const list = messageList(event.attributes["gen_ai.completion"], "assistant");
      if (list) completion.push(...list);
      usedEvents.add(event);
    }
  }
  completion.sort((x, y) => Number(x.index ?? 0) - Number(y.index ?? 0));

  let input: unknown = prompt.length > 0 ? prompt : undefined;
  let output: unknown = completion.length > 0 ? completion : undefined;

  // The current conventions: structured messages as JSON attributes, and system instructions beside them.
  const inputMessages = messageList(a["gen_ai.input.messages"], "user");
  if (inputMessages) {
    used.push("gen_ai.input.messages");
    const system = a["gen_ai.system_instructions"];
    if (system !== undefined) {
      used.push("gen_ai.system_instructions");
      const instructions = parseJson(system);
      inputMessages.unshift({ role: "system", content: contentOfParts(instructions) });
    }
    input = inputMessages;
  }
  const outputMessages = messageList(a["gen_ai.output.messages"], "assistant");
  if (outputMessages) {
    used.push("gen_ai.output.messages");
    output = outputMessages;
  }

  // OpenLLMetry: gen_ai.prompt.N.role / .content, gen_ai.completion.N.*
  if (input === undefined) {
    const indexed = indexedMessages(a, "gen_ai.prompt.", "user");
    if (indexed.messages) {
      input = indexed.messages;
      used.push(...indexed.used);
    }
  }
  if (output === undefined) {
    const indexed = indexedMessages(a, "gen_ai.completion.", "assistant");
    if (indexed.messages) {
      output = indexed.messages;
      used.push(...indexed.used);
    }
  }

  // A tool call's arguments and result.
  for (const [key, side] of [
    ["gen_ai.tool.call.arguments", "input"],
    ["gen_ai.tool.call.result", "output"],
  ] as const) {
    if (a[key] === undefined) continue;
    if (side === "input" && input === undefined) input = parseJson(a[key]);
    else if (side === "output" && output === undefined) output = parseJson(a[key]);
    else continue;
    used.push(key);
  }
  return { input, output, used, usedEvents };
}

// ---------------------------------------------------------------------------------------------------------------
// The dialect

const REQUEST_PREFIX = "gen_ai.request.";
const AGENT_OPERATIONS = new Set(["invoke_agent", "create_agent"]);

function kindOf(a: Record<string, unknown>): IngestSpan["kind"] | undefined {
  const operation = str(a["gen_ai.operation.name"]);
  if (a["gen_ai.tool.name"] !== undefined || operation === "execute_tool") return "tool";
  // An agent span wraps model calls; it is not one.
  if (operation && AGENT_OPERATIONS.has(operation)) return "agent";
  if (Object.keys(a).some((k) => k.startsWith("gen_ai."))) return "llm";
  return undefined;
}

export const genAi: Dialect = {
  name: "gen_ai",
  read(span) {
    const a = span.attributes;
    const { input, output, used, usedEvents } = extractMessages(span);
    const kind = kindOf(a);
    if (kind === undefined && input === undefined && output === undefined) return null;
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(a)) {
      if (key.startsWith(REQUEST_PREFIX) && key !== "gen_ai.request.model") {
        config[key.slice(REQUEST_PREFIX.length)] = value;
        used.push(key);
      }
    }
    // `error.type` names the failure of an operation that ended in error; the span's status message says more.
    const errorType = span.status.code === 2 ? undefined : str(a["error.type"]);
    const toolName = kind === "tool" ? str(a["gen_ai.tool.name"]) : undefined;
    const reading: Reading = {
      kind,
      ...(toolName && !span.name.includes(toolName) ? { name: toolName } : {}),
      ...(errorType ? { error: errorType } : {}),
      model: str(a["gen_ai.response.model"]) ?? str(a["gen_ai.request.model"]),
      input,
      output,
      config: Object.keys(config).length > 0 ? config : undefined,
      inputTokens: count(a["gen_ai.usage.input_tokens"]) ?? count(a["gen_ai.usage.prompt_tokens"]),
      outputTokens: count(a["gen_ai.usage.output_tokens"]) ?? count(a["gen_ai.usage.completion_tokens"]),
      used,
      usedEvents: [...usedEvents],
    };
    return reading;
  },
};
