import type { IngestRun, IngestSpan } from "@shared/schemas/ingest.ts";
import { count, type Dialect, isObj, parseJson, type Reading, str } from "./dialect.ts";
import { type ChatMessage, messageList, toMessage } from "./gen-ai.ts";

/**
 * Langfuse's own attributes, as its v4+ SDKs (`@langfuse/tracing` + `@langfuse/otel`, the Python SDK v3+) write them:
 * `langfuse.observation.*` for the observation a span is, `langfuse.trace.*`, `session.id` and `user.id` for the
 * trace it belongs to. The same readings serve the legacy batch API (langfuse-ingestion.ts), so an observation
 * looks the same in Echos whichever way it came.
 */

/**
 * Langfuse observation types → span kinds. A plain `span` is any step the user chose to time: custom, as Echos
 * cannot tell from one span whether it wraps others. Only model calls (generations, embeddings) own their tokens.
 */
const KINDS: Record<string, IngestSpan["kind"]> = {
  generation: "llm",
  embedding: "llm",
  tool: "tool",
  retriever: "tool",
  agent: "agent",
  chain: "agent",
  span: "custom",
  event: "custom",
  evaluator: "custom",
  guardrail: "custom",
};

export const langfuseKindOf = (type: string | undefined): IngestSpan["kind"] | undefined =>
  type ? (KINDS[type.toLowerCase()] ?? "custom") : undefined;

/** Whether an observation of this kind is a model call whose usage counts in the run's totals. */
export const ownsUsage = (kind: IngestSpan["kind"] | undefined) => kind === "llm";

/** Token counts from Langfuse usage, in any of the names its SDKs and users write (Langfuse's, OpenAI's, camelCase). */
export function usageOf(...sources: unknown[]): { inputTokens?: number; outputTokens?: number } {
  const pick = (names: string[]) => {
    for (const source of sources) {
      const u = parseJson(source);
      if (!isObj(u)) continue;
      for (const name of names) {
        const n = count(u[name]);
        if (n !== undefined) return n;
      }
    }
    return undefined;
  };
  return {
    inputTokens: pick(["input", "prompt_tokens", "promptTokens", "input_tokens", "inputTokens"]),
    outputTokens: pick(["output", "completion_tokens", "completionTokens", "output_tokens", "outputTokens"]),
  };
}

/** The cost the producer stated: `total` of its cost details, else the sum of their parts. */
export function costOf(details: unknown): number | undefined {
  const d = parseJson(details);
  if (typeof d === "number") return Number.isFinite(d) && d >= 0 ? d : undefined;
  if (!isObj(d)) return undefined;
  const valid = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined);
  const total = valid(d.total);
  if (total !== undefined) return total;
  const parts = Object.values(d).map(valid);
  return parts.some((p) => p !== undefined) ? parts.reduce<number>((s, p) => s + (p ?? 0), 0) : undefined;
}

const looksLikeMessage = (v: unknown) => isObj(v) && typeof v.role === "string";

/**
 * A model call's input as a message list when it is one (Langfuse takes any JSON, and most SDK wrappers send the
 * chat messages); anything else as it came.
 */
export function generationInput(input: unknown): unknown {
  const parsed = parseJson(input);
  if (Array.isArray(parsed) && parsed.length > 0 && parsed.every(looksLikeMessage)) return messageList(parsed, "user");
  if (looksLikeMessage(parsed)) return [toMessage(parsed, "user")];
  if (isObj(parsed) && Array.isArray(parsed.messages) && parsed.messages.every(looksLikeMessage))
    return messageList(parsed.messages, "user");
  return parsed;
}

/** A model call's output as the assistant message(s): a completion text, a message, or a list of them. */
export function generationOutput(output: unknown): unknown {
  const parsed = parseJson(output);
  if (typeof parsed === "string") return [{ role: "assistant", content: parsed } satisfies ChatMessage];
  if (looksLikeMessage(parsed)) return [toMessage(parsed, "assistant")];
  if (Array.isArray(parsed) && parsed.length > 0 && parsed.every(looksLikeMessage))
    return messageList(parsed, "assistant");
  return parsed;
}

/** Langfuse levels: only ERROR marks a failure (WARNING is a note, kept as an attribute). */
export const isErrorLevel = (level: unknown) => typeof level === "string" && level.toUpperCase() === "ERROR";

const OBSERVATION = "langfuse.observation.";

export const langfuse: Dialect = {
  name: "langfuse",
  read(span) {
    const a = span.attributes;
    const type = str(a[`${OBSERVATION}type`]);
    const keys = Object.keys(a).filter((k) => k.startsWith(OBSERVATION));
    if (!type && keys.length === 0) return null;
    const kind = langfuseKindOf(type);
    const llm = kind === "llm";
    const used = [`${OBSERVATION}type`];
    const take = (key: string) => {
      const value = a[key];
      if (value !== undefined) used.push(key);
      return value;
    };

    const reading: Reading = { kind, used, usedEvents: [] };
    const input = take(`${OBSERVATION}input`);
    const output = take(`${OBSERVATION}output`);
    if (input !== undefined) reading.input = llm ? generationInput(input) : parseJson(input);
    if (output !== undefined) reading.output = llm ? generationOutput(output) : parseJson(output);
    reading.model = str(take(`${OBSERVATION}model.name`));
    const parameters = parseJson(take(`${OBSERVATION}model.parameters`));
    if (isObj(parameters)) reading.config = parameters;

    // Usage and cost: a model call's own; on any other observation they are kept, not counted.
    const usage = a[`${OBSERVATION}usage_details`];
    const cost = a[`${OBSERVATION}cost_details`];
    if (ownsUsage(kind)) {
      Object.assign(reading, usageOf(take(`${OBSERVATION}usage_details`)));
      reading.costUsd = costOf(take(`${OBSERVATION}cost_details`));
    } else if (usage !== undefined || cost !== undefined) {
      reading.ownsTokens = false;
    }

    const level = a[`${OBSERVATION}level`];
    if (isErrorLevel(level)) {
      reading.error = str(a[`${OBSERVATION}status_message`]) ?? "ERROR";
      used.push(`${OBSERVATION}level`, `${OBSERVATION}status_message`);
    }
    // Observation metadata (`langfuse.observation.metadata.<key>`) stays in the attributes, under its own names.
    return reading;
  },
  readRun(spans) {
    return runOf(spans.map((s) => s.attributes ?? {}));
  },
};

/**
 * What the spans of a trace say about the trace (Langfuse propagates them to every span): its name, input and
 * output, tags, session (the conversation); its metadata as the run's, with `langfuse.userId`, `langfuse.release`,
 * `langfuse.version` and `langfuse.environment` beside it, as the batch API stores them. These attributes are left
 * on the spans as well: a batch without the trace's root still keeps them.
 */
function runOf(attributeSets: Record<string, unknown>[]): Partial<IngestRun> | null {
  const first = (key: string) => attributeSets.map((a) => a[key]).find((v) => v !== undefined && v !== null);
  const name = str(first("langfuse.trace.name"));
  const input = first("langfuse.trace.input");
  const output = first("langfuse.trace.output");
  const rawTags = parseJson(first("langfuse.trace.tags"));
  const tags = (Array.isArray(rawTags) ? rawTags : typeof rawTags === "string" ? [rawTags] : [])
    .filter((t): t is string => typeof t === "string" && t.length > 0 && t.length <= 100)
    .slice(0, 50);
  const session = str(first("session.id")) ?? str(first("langfuse.session.id"));
  const metadata: Record<string, unknown> = {};
  for (const attributes of attributeSets) {
    for (const [key, value] of Object.entries(attributes)) {
      if (key.startsWith("langfuse.trace.metadata.") && !(key.slice(24) in metadata))
        metadata[key.slice(24)] = parseJson(value);
    }
  }
  const wholeMetadata = parseJson(first("langfuse.trace.metadata"));
  if (isObj(wholeMetadata)) for (const [k, v] of Object.entries(wholeMetadata)) metadata[k] ??= v;
  const userId = str(first("user.id")) ?? str(first("langfuse.user.id"));
  if (userId) metadata["langfuse.userId"] = userId;
  for (const field of ["release", "version", "environment"] as const) {
    const value = str(first(`langfuse.${field}`));
    if (value) metadata[`langfuse.${field}`] = value;
  }
  const run: Partial<IngestRun> = {};
  if (name) run.name = name;
  if (input !== undefined) run.input = parseJson(input);
  if (output !== undefined) run.output = parseJson(output);
  if (tags.length > 0) run.tags = tags;
  if (session) run.conversationId = session.slice(0, 200);
  if (Object.keys(metadata).length > 0) run.metadata = metadata;
  return Object.keys(run).length > 0 ? run : null;
}
