import type { TranscriptMessage, TranscriptRole } from "@shared/schemas/runs.ts";

/**
 * A conversation's transcript from the LLM spans of its runs, in order. Chat calls usually re-send the history
 * with each new turn, so each call contributes only what the transcript does not already end with.
 */

export interface LlmSpanRow {
  runId: string;
  spanId: string;
  at: string;
  model: string | null;
  input: unknown;
  output: unknown;
}

type Message = { role: TranscriptRole; content: string };

const ROLES: Record<string, TranscriptRole> = {
  system: "system",
  developer: "system",
  user: "user",
  human: "user",
  assistant: "assistant",
  model: "assistant",
  ai: "assistant",
  tool: "tool",
  function: "tool",
};

/** Text of a message's content: a string, a list of parts (`{type: "text", text}`), or anything else as JSON. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (Array.isArray(content)) return content.map(contentText).filter(Boolean).join("\n");
  if (typeof content === "object") {
    const part = content as Record<string, unknown>;
    if (typeof part.text === "string") return part.text;
    if (typeof part.content === "string") return part.content;
    if (part.type === "tool_call" || part.type === "tool_call_response") return JSON.stringify(part);
  }
  return JSON.stringify(content);
}

function toMessage(value: unknown, fallbackRole: TranscriptRole): Message | null {
  if (typeof value === "string") return value ? { role: fallbackRole, content: value } : null;
  if (!value || typeof value !== "object") return null;
  const m = value as Record<string, unknown>;
  // Own keys only: a role named like an Object property ("constructor", "__proto__") must not become one.
  const key = typeof m.role === "string" ? m.role.toLowerCase() : "";
  const role = Object.hasOwn(ROLES, key) ? ROLES[key]! : fallbackRole;
  const content = contentText(m.content ?? m.parts ?? m.text);
  return content ? { role, content } : null;
}

/** The messages an LLM call was given: `{messages}`, a list of messages, `{prompt}` or a plain string. */
export function inputMessages(input: unknown): Message[] {
  const record =
    input && typeof input === "object" && !Array.isArray(input) ? (input as Record<string, unknown>) : null;
  const list = Array.isArray(input) ? input : Array.isArray(record?.messages) ? record.messages : null;
  if (list) return list.map((m) => toMessage(m, "user")).filter((m): m is Message => m !== null);
  const prompt = typeof input === "string" ? input : typeof record?.prompt === "string" ? record.prompt : null;
  return prompt ? [{ role: "user", content: prompt }] : [];
}

/** What the call answered: text, a message, a list of messages, or `{text}` / `{content}` / `{choices}`. */
export function outputMessages(output: unknown): Message[] {
  if (Array.isArray(output))
    return output.map((m) => toMessage(m, "assistant")).filter((m): m is Message => m !== null);
  const record = output && typeof output === "object" ? (output as Record<string, unknown>) : null;
  if (record && Array.isArray(record.choices)) {
    const first = record.choices[0] as Record<string, unknown> | undefined;
    return outputMessages(first?.message ?? first?.text);
  }
  const message = toMessage(output, "assistant");
  return message ? [message] : [];
}

const same = (a: Message, b: Message) => a.role === b.role && a.content === b.content;

/** The longest k such that the transcript's last k messages are the call's first k. */
function overlap(transcript: Message[], next: Message[]): number {
  for (let k = Math.min(transcript.length, next.length); k > 0; k--) {
    const start = transcript.length - k;
    let matches = true;
    for (let i = 0; i < k && matches; i++) matches = same(transcript[start + i]!, next[i]!);
    if (matches) return k;
  }
  return 0;
}

export function buildTranscript(spans: LlmSpanRow[]): TranscriptMessage[] {
  const transcript: TranscriptMessage[] = [];
  // A re-sent history is matched against the transcript without its system messages: a system prompt that changes
  // from call to call (one carrying the time, say) must not hide that the rest of the history is already there.
  const spoken: Message[] = [];
  const systemSeen = new Set<string>();
  for (const span of spans) {
    const given = inputMessages(span.input);
    const history = given.filter((m) => m.role !== "system");
    let known = overlap(spoken, history);
    const at = { at: span.at, runId: span.runId, spanId: span.spanId };
    const add = (m: Message, model?: string | null) => {
      transcript.push({ ...m, ...at, ...(model !== undefined && m.role === "assistant" ? { model } : {}) });
      if (m.role !== "system") spoken.push(m);
    };
    for (const m of given) {
      if (m.role === "system") {
        if (!systemSeen.has(m.content)) {
          systemSeen.add(m.content);
          add(m);
        }
      } else if (known > 0) known--;
      else add(m);
    }
    for (const m of outputMessages(span.output)) add(m, span.model);
  }
  return transcript;
}
