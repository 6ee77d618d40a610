import type { IngestRun, IngestSpan } from "@shared/schemas/ingest.ts";
import { clean, type OtlpEvent, type OtlpSpan } from "../../otlp/decode.ts";
import { priceOf } from "../../pricing/prices.ts";

/**
 * OTLP spans → Echos ingest items, following the OpenTelemetry GenAI semantic conventions (and, where they are
 * silent, the older `gen_ai.prompt.N.*` attributes of OpenLLMetry and OpenInference's `input.value`).
 *
 * One Echos run per trace: `otel-<traceId>`. A run item is emitted only when the trace's root span is in the batch
 * (its name, times and status come from it); otherwise the spans alone are sent and the ingest service keeps a
 * placeholder run until the root arrives, so a later batch never renames a run after one of its children.
 */

export type EchosItem = IngestRun | IngestSpan;

export interface MappedBatch {
  /** Run items first, then spans: a run and its spans may be split across ingest calls without a placeholder. */
  items: EchosItem[];
  /** Spans that could not be mapped at all (no valid ids or start time), with why. */
  rejected: { spanId: string | null; error: string }[];
}

export const runIdOf = (traceId: string) => `otel-${traceId}`;
export const spanIdOf = (spanId: string) => `otel-${spanId}`;

const NAME_MAX = 300;
const ERROR_MAX = 20_000;
const truncate = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Nanoseconds since the epoch → ISO 8601 (millisecond precision); null when absent, zero or out of range. */
function isoOf(nanos: bigint | null): string | null {
  if (nanos === null || nanos <= 0n) return null;
  const ms = Number(nanos / 1_000_000n);
  if (ms > 8.64e15) return null;
  return new Date(ms).toISOString();
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** A non-negative token count that fits the database's integer column. */
function count(v: unknown): number | undefined {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 2_147_483_647 ? n : undefined;
}

/** A JSON text parsed, or the value itself when it is not JSON (or not a string). */
function parseJson(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (!(t.startsWith("{") || t.startsWith("["))) return v;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return v;
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------------------------
// Messages

export interface ChatMessage {
  role: string;
  content: unknown;
  [extra: string]: unknown;
}

/** `parts` of the structured message format (gen_ai.input.messages): plain text when all parts are text. */
function contentOfParts(parts: unknown): unknown {
  if (!Array.isArray(parts)) return parts;
  const texts = parts.map((p) => (isObj(p) && p.type === "text" ? str(p.content) : undefined));
  return texts.every((t) => t !== undefined) ? texts.join("") : parts;
}

/** One message in any of the shapes producers use, as `{role, content, …extra}`. */
function toMessage(raw: unknown, defaultRole: string): ChatMessage {
  if (!isObj(raw)) return { role: defaultRole, content: raw };
  const { role, content, parts, ...extra } = raw;
  const message: ChatMessage = {
    role: str(role) ?? defaultRole,
    content: content !== undefined ? parseContent(content) : contentOfParts(parts),
  };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null) message[k] = parseJson(v);
  return message;
}

/** Content stays a string unless it is a structured list (some producers send content parts as JSON). */
function parseContent(content: unknown): unknown {
  const parsed = parseJson(content);
  return Array.isArray(parsed) ? parsed : content;
}

/** A JSON list of messages (gen_ai.input.messages, gen_ai.prompt…); a lone object counts as one message. */
function messageList(v: unknown, defaultRole: string): ChatMessage[] | undefined {
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

/** A message span event (`gen_ai.user.message` …): content, and maybe role, tool calls, id. */
const eventMessage = (event: OtlpEvent, defaultRole: string) => toMessage(eventMessageAttributes(event), defaultRole);

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
function indexedMessages(attributes: Record<string, unknown>, prefix: string, defaultRole: string) {
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

function extractMessages(span: OtlpSpan): Extracted {
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

  // Tool calls (gen_ai.tool.call.arguments / .result), then OpenInference's generic input.value / output.value.
  for (const [key, side] of [
    ["gen_ai.tool.call.arguments", "input"],
    ["gen_ai.tool.call.result", "output"],
    ["input.value", "input"],
    ["output.value", "output"],
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
// One span

const REQUEST_PREFIX = "gen_ai.request.";
const AGENT_OPERATIONS = new Set(["invoke_agent", "create_agent"]);
const OPENINFERENCE_KINDS: Record<string, IngestSpan["kind"]> = { LLM: "llm", TOOL: "tool", RETRIEVER: "tool" };

function kindOf(a: Record<string, unknown>): IngestSpan["kind"] {
  const keys = Object.keys(a);
  const operation = str(a["gen_ai.operation.name"]);
  if (a["gen_ai.tool.name"] !== undefined || operation === "execute_tool") return "tool";
  const openInference = str(a["openinference.span.kind"]);
  if (openInference) return OPENINFERENCE_KINDS[openInference.toUpperCase()] ?? "custom";
  // An agent span wraps model calls; it is not one.
  if (operation && AGENT_OPERATIONS.has(operation)) return "custom";
  if (keys.some((k) => k.startsWith("gen_ai."))) return "llm";
  if (a["http.request.method"] !== undefined || a["http.method"] !== undefined) return "http";
  if (a["db.system"] !== undefined || a["db.system.name"] !== undefined) return "tool";
  return "custom";
}

const SPAN_KIND_NAMES = ["unspecified", "internal", "server", "client", "producer", "consumer"];

/** The error text of a failed span: its status message, else the message of an `exception` event. */
function errorOf(span: OtlpSpan): string {
  if (span.status.message) return span.status.message;
  const exception = span.events.find((e) => e.name === "exception");
  const message = str(exception?.attributes["exception.message"]);
  const type = str(exception?.attributes["exception.type"]);
  return message && type ? `${type}: ${message}` : (message ?? type ?? "error");
}

function toSpanItem(span: OtlpSpan & { traceId: string; spanId: string }, startedAt: string): IngestSpan {
  const a = span.attributes;
  const kind = kindOf(a);
  const endedAt = isoOf(span.endTimeUnixNano);
  const status = span.status.code === 2 ? "error" : endedAt ? "success" : "running";

  const model = str(a["gen_ai.response.model"]) ?? str(a["gen_ai.request.model"]) ?? str(a["llm.model_name"]);
  const inputTokens =
    count(a["gen_ai.usage.input_tokens"]) ??
    count(a["gen_ai.usage.prompt_tokens"]) ??
    count(a["llm.token_count.prompt"]);
  const outputTokens =
    count(a["gen_ai.usage.output_tokens"]) ??
    count(a["gen_ai.usage.completion_tokens"]) ??
    count(a["llm.token_count.completion"]);
  const costUsd = priceOf(model, inputTokens, outputTokens);

  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(a)) {
    if (key.startsWith(REQUEST_PREFIX) && key !== "gen_ai.request.model")
      config[key.slice(REQUEST_PREFIX.length)] = value;
  }

  const { input, output, used, usedEvents } = extractMessages(span);
  const mapped = new Set([
    ...used,
    ...Object.keys(a).filter((k) => k.startsWith(REQUEST_PREFIX) && k !== "gen_ai.request.model"),
  ]);
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(a)) if (!mapped.has(key)) attributes[key] = value;
  attributes["otel.span_kind"] = SPAN_KIND_NAMES[span.kind] ?? String(span.kind);
  if (span.scope.name) attributes["otel.scope.name"] = span.scope.name;
  if (span.scope.version) attributes["otel.scope.version"] = span.scope.version;
  const otherEvents = span.events
    .filter((e) => !usedEvents.has(e))
    .map((e) => ({ name: e.name, time: isoOf(e.timeUnixNano), attributes: e.attributes }));
  if (otherEvents.length > 0) attributes["otel.events"] = otherEvents;

  return {
    type: "span",
    id: spanIdOf(span.spanId),
    runId: runIdOf(span.traceId),
    parentId: span.parentSpanId ? spanIdOf(span.parentSpanId) : null,
    name: truncate(span.name || "(unnamed span)", NAME_MAX),
    kind,
    status,
    startedAt,
    endedAt,
    ...(input !== undefined ? { input } : {}),
    ...(output !== undefined ? { output } : {}),
    ...(Object.keys(config).length > 0 ? { config } : {}),
    attributes,
    model: model ? truncate(clean(model), 200) : null,
    inputTokens: inputTokens ?? null,
    outputTokens: outputTokens ?? null,
    costUsd,
    error: status === "error" ? truncate(errorOf(span), ERROR_MAX) : null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// A batch

function toRunItem(root: OtlpSpan & { traceId: string }, rootItem: IngestSpan, trace: IngestSpan[]): IngestRun {
  const service = str(root.resource["service.name"]);
  const conversationId = trace
    .map((s) => str(s.attributes?.["gen_ai.conversation.id"]) ?? str(s.attributes?.["session.id"]))
    .find((c) => c !== undefined);
  return {
    type: "run",
    id: runIdOf(root.traceId),
    name: truncate(service ?? rootItem.name, NAME_MAX),
    status: rootItem.status,
    startedAt: rootItem.startedAt,
    endedAt: rootItem.endedAt ?? null,
    ...(rootItem.input !== undefined ? { input: rootItem.input } : {}),
    ...(rootItem.output !== undefined ? { output: rootItem.output } : {}),
    error: rootItem.error ?? null,
    conversationId: conversationId ? truncate(conversationId, 200) : null,
    metadata: { source: "opentelemetry", traceId: root.traceId, rootSpan: rootItem.name, resource: root.resource },
  };
}

export function mapSpans(spans: OtlpSpan[]): MappedBatch {
  const rejected: MappedBatch["rejected"] = [];
  const runs: IngestRun[] = [];
  const spanItems: IngestSpan[] = [];
  const byTrace = new Map<
    string,
    { items: IngestSpan[]; root?: { span: OtlpSpan & { traceId: string }; item: IngestSpan } }
  >();

  for (const span of spans) {
    const label = span.spanId ? spanIdOf(span.spanId) : null;
    const { traceId, spanId } = span;
    if (!traceId || !spanId) {
      rejected.push({ spanId: label, error: `${traceId ? "spanId" : "traceId"} is missing or invalid` });
      continue;
    }
    if (span.parentSpanIdError) {
      rejected.push({ spanId: label, error: `parentSpanId is invalid (${span.parentSpanIdError})` });
      continue;
    }
    const startedAt = isoOf(span.startTimeUnixNano);
    if (!startedAt) {
      rejected.push({ spanId: label, error: "startTimeUnixNano is missing or out of range" });
      continue;
    }
    const item = toSpanItem({ ...span, traceId, spanId }, startedAt);
    spanItems.push(item);
    const trace = byTrace.get(traceId) ?? { items: [] };
    trace.items.push(item);
    // Several roots in one trace (rare): the earliest one names the run.
    if (!span.parentSpanId && (!trace.root || item.startedAt < trace.root.item.startedAt)) {
      trace.root = { span: { ...span, traceId }, item };
    }
    byTrace.set(traceId, trace);
  }

  for (const trace of byTrace.values()) {
    if (trace.root) runs.push(toRunItem(trace.root.span, trace.root.item, trace.items));
  }
  return { items: [...runs, ...spanItems], rejected };
}
