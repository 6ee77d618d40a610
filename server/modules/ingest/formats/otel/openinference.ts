import type { IngestSpan } from "@shared/schemas/ingest.ts";
import { count, type Dialect, isObj, parseJson, type Reading, str } from "./dialect.ts";
import type { ChatMessage } from "./gen-ai.ts";

/**
 * OpenInference (Arize Phoenix, `@arizeai/openinference-*`): `openinference.span.kind`, the flattened messages
 * `llm.input_messages.N.message.*` / `llm.output_messages.N.message.*`, `llm.invocation_parameters`, `llm.tools`,
 * `llm.token_count.*`, tool spans (`tool.name`, `tool.parameters`), and `input.value` / `output.value`, which hold
 * the whole request and response as JSON: those are the input and output only when no messages were recorded.
 */

const KINDS: Record<string, IngestSpan["kind"]> = {
  LLM: "llm",
  EMBEDDING: "llm",
  TOOL: "tool",
  RETRIEVER: "tool",
  RERANKER: "tool",
  AGENT: "agent",
  CHAIN: "agent",
};

type Tree = Record<string, unknown>;

/** The attributes under `prefix` as a tree split on dots (`0.message.tool_calls.1.tool_call.id`), with their keys. */
function treeOf(a: Record<string, unknown>, prefix: string): { tree: Tree; used: string[] } {
  const tree: Tree = {};
  const used: string[] = [];
  for (const [key, value] of Object.entries(a)) {
    if (!key.startsWith(prefix)) continue;
    const path = key.slice(prefix.length).split(".");
    if (path.some((p) => p === "" || p === "__proto__")) continue;
    let node = tree;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      if (!isObj(next)) node[part] = {};
      node = node[part] as Tree;
    }
    node[path.at(-1)!] = value;
    used.push(key);
  }
  return { tree, used };
}

/** The entries of a tree node whose keys are indexes, in index order. */
const indexed = (node: unknown): unknown[] =>
  isObj(node)
    ? Object.entries(node)
        .filter(([k]) => /^\d+$/.test(k))
        .sort(([x], [y]) => Number(x) - Number(y))
        .map(([, v]) => v)
    : [];

/** `message.contents.N.message_content.{type,text,image.image.url}` as text, or as content parts. */
function contentsOf(node: unknown): unknown {
  const parts = indexed(node).map((p) => {
    const part = isObj(p) && isObj(p.message_content) ? p.message_content : {};
    if (part.type === "image") {
      const image = isObj(part.image) && isObj(part.image.image) ? part.image.image.url : undefined;
      return { type: "image_url", image_url: { url: image } };
    }
    return { type: "text", text: part.text };
  });
  return parts.every((p) => p.type === "text") ? parts.map((p) => str(p.text) ?? "").join("") : parts;
}

/** One `message` node as `{role, content, tool_calls?, tool_call_id?}`, tool calls in OpenAI's shape. */
function messageOf(node: unknown, defaultRole: string): ChatMessage {
  const m = isObj(node) && isObj(node.message) ? node.message : {};
  const message: ChatMessage = {
    role: str(m.role) ?? defaultRole,
    content: m.content !== undefined ? m.content : m.contents !== undefined ? contentsOf(m.contents) : null,
  };
  const calls = indexed(m.tool_calls).map((c) => {
    const call = isObj(c) && isObj(c.tool_call) ? c.tool_call : {};
    const fn = isObj(call.function) ? call.function : {};
    return {
      ...(call.id !== undefined ? { id: call.id } : {}),
      type: "function",
      function: { name: fn.name, arguments: fn.arguments },
    };
  });
  if (calls.length > 0) message.tool_calls = calls;
  if (m.tool_call_id !== undefined) message.tool_call_id = m.tool_call_id;
  if (m.name !== undefined) message.name = m.name;
  if (m.function_call_name !== undefined)
    message.function_call = { name: m.function_call_name, arguments: m.function_call_arguments_json };
  return message;
}

function messages(a: Record<string, unknown>, prefix: string, defaultRole: string) {
  const { tree, used } = treeOf(a, prefix);
  const list = indexed(tree).map((node) => messageOf(node, defaultRole));
  return { messages: list.length > 0 ? list : undefined, used };
}

export const openInference: Dialect = {
  name: "openinference",
  read(span) {
    const a = span.attributes;
    const spanKind = str(a["openinference.span.kind"]);
    const model = str(a["llm.model_name"]);
    if (!spanKind && !model && a["input.value"] === undefined && a["output.value"] === undefined) return null;
    const kind = spanKind ? (KINDS[spanKind.toUpperCase()] ?? "custom") : undefined;
    const used: string[] = [];
    const input = messages(a, "llm.input_messages.", "user");
    const output = messages(a, "llm.output_messages.", "assistant");
    const reading: Reading = {
      kind,
      model,
      inputTokens: count(a["llm.token_count.prompt"]),
      outputTokens: count(a["llm.token_count.completion"]),
      used,
      usedEvents: [],
    };
    if (typeof a["llm.cost.total"] === "number" && a["llm.cost.total"] >= 0) {
      reading.costUsd = a["llm.cost.total"];
      used.push("llm.cost.total");
    }
    for (const key of ["llm.model_name", "llm.token_count.prompt", "llm.token_count.completion"])
      if (a[key] !== undefined) used.push(key);
    // A chain or an agent that reports tokens reports those of the model calls below it.
    if (kind === "agent") reading.ownsTokens = false;

    if (input.messages) {
      reading.input = input.messages;
      used.push(...input.used);
    }
    if (output.messages) {
      // Why the model stopped, on its message, as the GenAI conventions' choices carry it.
      const finish = str(a["llm.finish_reason"]);
      if (finish && output.messages.length === 1) {
        output.messages[0]!.finish_reason = finish;
        used.push("llm.finish_reason");
      }
      reading.output = output.messages;
      used.push(...output.used);
    }
    // The request and response as JSON: the step's input and output when no messages said it better, and
    // otherwise a copy of what the messages, the parameters and the token counts already hold.
    for (const [key, field] of [
      ["input.value", "input"],
      ["output.value", "output"],
    ] as const) {
      if (a[key] === undefined) continue;
      if (reading[field] === undefined) reading[field] = parseJson(a[key]);
      used.push(key, `${key.split(".")[0]}.mime_type`);
    }

    const config: Record<string, unknown> = {};
    const parameters = parseJson(a["llm.invocation_parameters"]);
    if (isObj(parameters)) {
      Object.assign(config, parameters);
      used.push("llm.invocation_parameters");
    }
    const tools = treeOf(a, "llm.tools.");
    const toolList = indexed(tools.tree).map((t) =>
      isObj(t) && isObj(t.tool) ? parseJson(t.tool.json_schema ?? t.tool.name) : t,
    );
    if (toolList.length > 0) {
      config.tools = toolList;
      used.push(...tools.used);
    }
    if (kind === "tool") {
      reading.name = str(a["tool.name"]);
      if (a["tool.parameters"] !== undefined) {
        config.parameters = parseJson(a["tool.parameters"]);
        used.push("tool.parameters");
      }
    }
    if (Object.keys(config).length > 0) reading.config = config;
    return reading;
  },
};
