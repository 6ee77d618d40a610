import type { IngestRun, IngestSpan } from "@shared/schemas/ingest.ts";
import { isObj, str, truncate } from "./values.ts";

/**
 * LangSmith runs → Echos ingest items, as the `langsmith` client (and LangChain's tracer through it) sends them.
 *
 * One Echos run per LangSmith trace: `langsmith-<trace_id>`, the trace id being the root run's id. Every LangSmith
 * run is a span, `langsmith-<run id>`, under its `parent_run_id` (or the parent named by `dotted_order`); the root
 * run is also the Echos run item (name, times, status, input, output, error, tags).
 *
 * LangSmith creates a run (POST) and later updates it (PATCH) with its end time, outputs or error; an update that
 * does not repeat the name, start time or place in the tree is completed from the span already stored, which the
 * caller looks up and passes in. Everything the mapping does not read is kept in the span's attributes.
 */

export type EchosItem = IngestRun | IngestSpan;

/** A LangSmith run payload as sent: a create, an update, or both merged. */
export type LangSmithRun = Record<string, unknown>;

export interface LangSmithOperation {
  op: "post" | "patch";
  run: LangSmithRun;
}

/** What is already stored of a span, to complete an update that does not repeat it. */
export interface StoredSpan {
  id: string;
  runId: string;
  parentId: string | null;
  name: string;
  kind: IngestSpan["kind"];
  startedAt: string;
  attributes: Record<string, unknown>;
}

export interface MappedRuns {
  /** Run items first, then spans. */
  items: EchosItem[];
  /** The LangSmith run id of each item, by position in `items`, to report per-run outcomes. */
  sources: string[];
  /** Runs that could not be mapped at all, with why. */
  rejected: { id: string | null; error: string }[];
}

export const runIdOf = (traceId: string) => `langsmith-${traceId}`;
export const spanIdOf = (runId: string) => `langsmith-${runId}`;

const NAME_MAX = 300;
const ERROR_MAX = 20_000;
const TAG_MAX = 100;
const TAGS_MAX = 50;
/** Ids as the ingest schema takes them, once prefixed: LangSmith's are UUIDs. */
const RUN_ID = /^[\w.:-]{1,110}$/;

/** A non-negative token count that fits the database's integer column. */
function count(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 2_147_483_647 ? v : undefined;
}

/** A cost LangSmith itself reported, in USD. */
function cost(v: unknown): number | undefined {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 && n <= 1_000_000 ? n : undefined;
}

/**
 * A LangSmith time as ISO 8601 in UTC: the client sends ISO strings or epoch milliseconds, and the Python client
 * sends ISO strings without an offset, which LangSmith reads as UTC.
 */
export function timeOf(v: unknown): string | undefined {
  if (typeof v === "number" && Number.isFinite(v)) {
    const date = new Date(v);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  const s = str(v)?.trim();
  if (!s) return undefined;
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(s)) return `${s}Z`;
  return s;
}

/** `20240101T000000000000Z<uuid>.20240101T…Z<uuid>` → the run ids, root first. */
export function dottedIds(v: unknown): string[] {
  const dotted = str(v);
  if (!dotted) return [];
  return dotted.split(".").map((segment) => {
    const z = segment.indexOf("Z");
    return z >= 0 ? segment.slice(z + 1) : segment;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Messages

interface ChatMessage {
  role: string;
  content: unknown;
  [extra: string]: unknown;
}

/** LangChain's message class names and serialised `type`s → chat roles. */
const LANGCHAIN_ROLES: Record<string, string> = {
  HumanMessage: "user",
  HumanMessageChunk: "user",
  human: "user",
  AIMessage: "assistant",
  AIMessageChunk: "assistant",
  ai: "assistant",
  SystemMessage: "system",
  SystemMessageChunk: "system",
  system: "system",
  ToolMessage: "tool",
  ToolMessageChunk: "tool",
  tool: "tool",
  FunctionMessage: "function",
  function: "function",
  ChatMessage: "user",
};

/**
 * One message as OpenAI's request (`{role, content}`), LangChain's serialised class
 * (`{lc: 1, type: "constructor", id: […, "HumanMessage"], kwargs: {content, tool_calls}}`) or LangChain's plain
 * dict (`{type: "human", content}`) → `{role, content, …}` (tool calls and ids kept).
 */
function toMessage(raw: unknown, defaultRole: string): ChatMessage {
  if (!isObj(raw)) return { role: defaultRole, content: raw };
  if (raw.lc !== undefined && Array.isArray(raw.id) && isObj(raw.kwargs)) {
    const className = String(raw.id.at(-1));
    const { content, role, additional_kwargs, response_metadata, usage_metadata, ...rest } = raw.kwargs;
    void response_metadata;
    void usage_metadata;
    const message: ChatMessage = { role: str(role) ?? LANGCHAIN_ROLES[className] ?? defaultRole, content };
    for (const [k, v] of Object.entries(rest)) if (!isEmpty(v)) message[k] = v;
    if (isObj(additional_kwargs) && additional_kwargs.tool_calls !== undefined && message.tool_calls === undefined)
      message.tool_calls = additional_kwargs.tool_calls;
    return withOpenAiToolCalls(message);
  }
  const { role, type, content, ...rest } = raw;
  const message: ChatMessage = {
    role: str(role) ?? (typeof type === "string" ? LANGCHAIN_ROLES[type] : undefined) ?? defaultRole,
    content: content ?? null,
  };
  for (const [k, v] of Object.entries(rest)) if (!isEmpty(v)) message[k] = v;
  return withOpenAiToolCalls(message);
}

/**
 * LangChain's tool calls (`{name, args, id, type: "tool_call"}`) in OpenAI's shape, as every other format stores
 * them (arguments as JSON text); calls already in that shape, or in neither, are kept as they are.
 */
function withOpenAiToolCalls(message: ChatMessage): ChatMessage {
  if (!Array.isArray(message.tool_calls)) return message;
  message.tool_calls = message.tool_calls.map((call: unknown) =>
    isObj(call) && call.function === undefined && typeof call.name === "string" && call.args !== undefined
      ? {
          ...(call.id !== undefined ? { id: call.id } : {}),
          type: "function",
          function: {
            name: call.name,
            arguments: typeof call.args === "string" ? call.args : JSON.stringify(call.args),
          },
        }
      : call,
  );
  return message;
}

const isEmpty = (v: unknown) =>
  v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0);

/** The inputs that hold an LLM run's prompt. */
const PROMPT_KEYS = new Set(["messages", "prompts", "prompt", "input"]);

/** An LLM run's prompt: `inputs.messages` (one list, or LangChain's list of lists) or `inputs.prompts`. */
function promptOf(inputs: Record<string, unknown>): ChatMessage[] | undefined {
  const messages: unknown = inputs.messages;
  if (Array.isArray(messages) && messages.length > 0) {
    const list: unknown[] = Array.isArray(messages[0]) ? (messages as unknown[][]).flat() : (messages as unknown[]);
    return list.map((m) => toMessage(m, "user"));
  }
  const prompts: unknown = inputs.prompts ?? inputs.prompt;
  if (Array.isArray(prompts)) return (prompts as unknown[]).map((p) => ({ role: "user", content: p }));
  if (typeof prompts === "string") return [{ role: "user", content: prompts }];
  if (typeof inputs.input === "string") return [{ role: "user", content: inputs.input }];
  return undefined;
}

/**
 * An LLM run's answer: OpenAI's `choices` (the openai wrapper), LangChain's `generations` (a list of lists of
 * `{text, message}`), or one `message`.
 */
function answerOf(outputs: Record<string, unknown>): ChatMessage[] | undefined {
  if (Array.isArray(outputs.choices) && outputs.choices.length > 0) {
    return outputs.choices.map((choice) => {
      if (!isObj(choice)) return toMessage(choice, "assistant");
      const message = isObj(choice.message)
        ? toMessage(choice.message, "assistant")
        : { role: "assistant", content: choice.text ?? null };
      if (choice.finish_reason !== undefined && choice.finish_reason !== null)
        message.finish_reason = choice.finish_reason;
      return message;
    });
  }
  if (Array.isArray(outputs.generations) && outputs.generations.length > 0) {
    const generations = Array.isArray(outputs.generations[0])
      ? (outputs.generations as unknown[][]).flat()
      : outputs.generations;
    return generations.map((g) => {
      if (!isObj(g)) return toMessage(g, "assistant");
      return g.message !== undefined ? toMessage(g.message, "assistant") : { role: "assistant", content: g.text };
    });
  }
  if (outputs.message !== undefined) return [toMessage(outputs.message, "assistant")];
  if (outputs.role !== undefined && outputs.content !== undefined) return [toMessage(outputs, "assistant")];
  return undefined;
}

/** Input and output tokens, from wherever the producer put them. */
function tokensOf(run: LangSmithRun, outputs: Record<string, unknown>, metadata: Record<string, unknown>) {
  const usage = [outputs.usage_metadata, metadata.usage_metadata].find(isObj);
  const llmOutput = isObj(outputs.llm_output) ? outputs.llm_output : {};
  const tokenUsage = [llmOutput.token_usage, llmOutput.tokenUsage, outputs.usage].find(isObj) ?? {};
  return {
    input:
      count(usage?.input_tokens) ??
      count(tokenUsage.prompt_tokens) ??
      count(tokenUsage.promptTokens) ??
      count(tokenUsage.input_tokens) ??
      count(run.prompt_tokens),
    output:
      count(usage?.output_tokens) ??
      count(tokenUsage.completion_tokens) ??
      count(tokenUsage.completionTokens) ??
      count(tokenUsage.output_tokens) ??
      count(run.completion_tokens),
  };
}

/** `{input: x}` / `{output: x}` / `{outputs: x}` — how traceable wraps a lone value — is the value itself. */
function unwrap(value: unknown): unknown {
  if (!isObj(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === "input" || keys[0] === "output" || keys[0] === "outputs"))
    return value[keys[0]];
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// One run

const WRAPPERS = new Set(["chain", "agent", "prompt", "parser"]);
const KINDS: Record<string, IngestSpan["kind"]> = { llm: "llm", embedding: "llm", tool: "tool", retriever: "tool" };

/** Fields read into the span's own columns: the rest of the payload is kept in its attributes. */
const MAPPED = new Set([
  "id",
  "trace_id",
  "parent_run_id",
  "name",
  "run_type",
  "start_time",
  "end_time",
  "inputs",
  "outputs",
  "error",
  "child_runs",
]);

/** An update merged over the create (the same run twice in one request): what it sends wins, what it omits stays. */
function mergeRun(base: LangSmithRun, update: LangSmithRun): LangSmithRun {
  const merged = { ...base };
  for (const [k, v] of Object.entries(update)) if (v !== undefined && v !== null) merged[k] = v;
  return merged;
}

interface Placed {
  id: string;
  traceId: string;
  parentId: string | null;
  name: string;
  startedAt: string;
}

/** Where the run sits and what it is called, from the payload, else from what is stored; or why not. */
function place(
  run: LangSmithRun,
  id: string,
  created: boolean,
  stored: StoredSpan | undefined,
): Placed | { error: string } {
  const dotted = dottedIds(run.dotted_order);
  const parentId =
    str(run.parent_run_id) ??
    (dotted.length > 1 ? dotted.at(-2) : undefined) ??
    (stored ? (stored.parentId?.replace(/^langsmith-/, "") ?? null) : null);
  const traceId =
    str(run.trace_id) ??
    dotted[0] ??
    (stored ? stored.runId.replace(/^langsmith-/, "") : undefined) ??
    (parentId ? undefined : id);
  const name = str(run.name) ?? stored?.name;
  const startedAt = timeOf(run.start_time) ?? stored?.startedAt;
  if (!stored && !created && (!name || !startedAt))
    return { error: `unknown run ${id}: create it (POST /runs) before updating it` };
  if (!traceId) return { error: "trace_id is missing (and dotted_order does not name the root run)" };
  if (!name) return { error: "name is missing" };
  if (!startedAt) return { error: "start_time is missing or not a time" };
  for (const [field, value] of [
    ["trace_id", traceId],
    ["parent_run_id", parentId],
  ] as const) {
    if (value !== null && !RUN_ID.test(value)) return { error: `${field} is not a run id` };
  }
  return { id, traceId, parentId: parentId ?? null, name, startedAt };
}

function toSpanItem(
  run: LangSmithRun,
  placed: Placed,
  stored: StoredSpan | undefined,
  wrapsOthers: boolean,
): IngestSpan {
  const runType = str(run.run_type) ?? str(stored?.attributes["langsmith.run_type"]) ?? "chain";
  const kind: IngestSpan["kind"] =
    KINDS[runType] ?? (WRAPPERS.has(runType) && (wrapsOthers || stored?.kind === "agent") ? "agent" : "custom");
  // An update that does not repeat `extra` still has its create's model and metadata.
  const storedExtra = stored?.attributes["langsmith.extra"];
  const extra = isObj(run.extra) ? run.extra : isObj(storedExtra) ? storedExtra : {};
  const metadata = isObj(extra.metadata) ? extra.metadata : {};
  const invocation = isObj(extra.invocation_params) ? extra.invocation_params : {};
  const inputs = isObj(run.inputs) ? run.inputs : undefined;
  const outputs = isObj(run.outputs) ? run.outputs : undefined;
  const errorText = typeof run.error === "string" ? run.error : run.error != null ? JSON.stringify(run.error) : "";
  const endedAt = timeOf(run.end_time) ?? null;
  const status = errorText ? "error" : endedAt ? "success" : "running";

  let input: unknown = run.inputs === undefined ? undefined : unwrap(run.inputs);
  let output: unknown = run.outputs === undefined ? undefined : unwrap(run.outputs);
  let config: Record<string, unknown> | undefined;
  let model: string | undefined;
  let tokens: { input?: number; output?: number } = {};
  if (kind === "llm") {
    const prompt = inputs ? promptOf(inputs) : undefined;
    if (prompt && inputs) {
      input = prompt;
      // The request's other parameters (model, temperature, stream …) are the call's configuration.
      const params = Object.fromEntries(Object.entries(inputs).filter(([k]) => !PROMPT_KEYS.has(k)));
      if (Object.keys(params).length > 0) config = params;
    }
    const answer = outputs ? answerOf(outputs) : undefined;
    if (answer) output = answer;
    model =
      str(metadata.ls_model_name) ??
      str(invocation.model) ??
      str(invocation.model_name) ??
      str(outputs?.model) ??
      str(inputs?.model);
    tokens = tokensOf(run, outputs ?? {}, metadata);
  }
  const reportedCost =
    cost(run.total_cost) ??
    (cost(run.prompt_cost) !== undefined || cost(run.completion_cost) !== undefined
      ? (cost(run.prompt_cost) ?? 0) + (cost(run.completion_cost) ?? 0)
      : undefined);

  // What was stored first, then what this payload says: an update that omits a field keeps it.
  const attributes: Record<string, unknown> = { ...stored?.attributes, "langsmith.run_type": runType };
  for (const [key, value] of Object.entries(run)) {
    if (MAPPED.has(key) || value === undefined || value === null) continue;
    attributes[`langsmith.${key}`] = value;
  }

  return {
    type: "span",
    id: spanIdOf(placed.id),
    runId: runIdOf(placed.traceId),
    parentId: placed.parentId ? spanIdOf(placed.parentId) : null,
    name: truncate(placed.name, NAME_MAX),
    kind,
    status,
    startedAt: placed.startedAt,
    endedAt,
    ...(input !== undefined ? { input } : {}),
    ...(output !== undefined ? { output } : {}),
    ...(config ? { config } : {}),
    attributes: Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined)),
    model: model ? truncate(model, 200) : null,
    inputTokens: tokens.input ?? null,
    outputTokens: tokens.output ?? null,
    costUsd: reportedCost ?? null,
    error: errorText ? truncate(errorText, ERROR_MAX) : null,
  };
}

/** The root run's Echos run item; its tags and metadata from the span's attributes, which hold create and update. */
function toRunItem(run: LangSmithRun, span: IngestSpan, traceId: string): IngestRun {
  const attributes = span.attributes ?? {};
  const extra = isObj(attributes["langsmith.extra"]) ? attributes["langsmith.extra"] : {};
  const metadata = isObj(extra.metadata) ? extra.metadata : {};
  const rawTags = attributes["langsmith.tags"];
  const tags = Array.isArray(rawTags)
    ? [
        ...new Set(
          rawTags.filter((t): t is string => typeof t === "string" && t !== "").map((t) => truncate(t, TAG_MAX)),
        ),
      ]
    : [];
  // A LangSmith thread (several traces of one conversation) is named by one of these metadata keys.
  const thread = str(metadata.thread_id) ?? str(metadata.session_id) ?? str(metadata.conversation_id);
  const project = str(attributes["langsmith.session_name"]);
  return {
    type: "run",
    id: runIdOf(traceId),
    name: span.name,
    status: span.status,
    startedAt: span.startedAt,
    endedAt: span.endedAt ?? null,
    ...(run.inputs !== undefined ? { input: unwrap(run.inputs) } : {}),
    ...(run.outputs !== undefined ? { output: unwrap(run.outputs) } : {}),
    error: span.error ?? null,
    tags: tags.slice(0, TAGS_MAX),
    ...(thread ? { conversationId: truncate(thread, 200) } : {}),
    metadata: {
      source: "langsmith",
      traceId,
      ...(project ? { project } : {}),
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// A request

/** The run ids an operation list names, and the trace ids it names, for the caller's look-up of stored spans. */
export function namedIds(operations: LangSmithOperation[]): { runIds: string[]; traceIds: string[] } {
  const runIds = new Set<string>();
  const traceIds = new Set<string>();
  for (const { run } of operations) {
    const id = str(run.id);
    if (id && RUN_ID.test(id)) runIds.add(id);
    const traceId = str(run.trace_id) ?? dottedIds(run.dotted_order)[0];
    if (traceId && RUN_ID.test(traceId)) traceIds.add(traceId);
  }
  return { runIds: [...runIds], traceIds: [...traceIds] };
}

/**
 * Creates and updates → items. `stored` holds the spans already stored for the runs named (by LangSmith run id);
 * `storedParents` the LangSmith run ids that already have stored children.
 */
export function mapRuns(
  operations: LangSmithOperation[],
  stored: Map<string, StoredSpan>,
  storedParents: Set<string>,
): MappedRuns {
  const rejected: MappedRuns["rejected"] = [];
  const merged = new Map<string, { run: LangSmithRun; created: boolean }>();
  for (const { op, run } of operations) {
    const id = str(run.id);
    if (!id || !RUN_ID.test(id)) {
      rejected.push({ id: typeof run.id === "string" ? run.id : null, error: "id is missing or not a run id" });
      continue;
    }
    const seen = merged.get(id);
    // A create seen in this request makes the run known, whatever order its update came in.
    merged.set(id, {
      run: seen ? mergeRun(seen.run, run) : run,
      created: op === "post" || (seen?.created ?? false),
    });
  }

  const placedRuns: { run: LangSmithRun; placed: Placed }[] = [];
  for (const [id, { run, created }] of merged) {
    const placed = place(run, id, created, stored.get(id));
    if ("error" in placed) rejected.push({ id, error: placed.error });
    else placedRuns.push({ run, placed });
  }
  const parents = new Set([...storedParents, ...placedRuns.flatMap(({ placed }) => placed.parentId ?? [])]);

  const runItems: IngestRun[] = [];
  const spanItems: IngestSpan[] = [];
  const runSources: string[] = [];
  const spanSources: string[] = [];
  for (const { run, placed } of placedRuns) {
    const span = toSpanItem(run, placed, stored.get(placed.id), parents.has(placed.id));
    spanItems.push(span);
    spanSources.push(placed.id);
    if (placed.parentId === null) {
      runItems.push(toRunItem(run, span, placed.traceId));
      runSources.push(placed.id);
    }
  }
  return { items: [...runItems, ...spanItems], sources: [...runSources, ...spanSources], rejected };
}
