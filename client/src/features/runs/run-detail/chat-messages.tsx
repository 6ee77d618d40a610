import { clsx } from "clsx";
import { Bot, Cog, User, Wrench } from "lucide-react";

/** A chat turn as LLM spans record them: `{ role, content }`, content as text or OpenAI/Anthropic-style parts. */
export interface ChatMessage {
  role: string;
  content: string;
  /** Tool calls an assistant turn asked for, one per line: `name({"arg":…})`. */
  toolCalls: string | null;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (Array.isArray(content))
    return content
      .map((part: unknown) => {
        if (typeof part === "string") return part;
        if (part && typeof part === "object") {
          const p = part as { text?: unknown; content?: unknown; type?: unknown };
          if (typeof p.text === "string") return p.text;
          if (typeof p.content === "string") return p.content;
          if (typeof p.type === "string") return `[${p.type}]`;
        }
        return JSON.stringify(part);
      })
      .join("\n");
  return JSON.stringify(content, null, 2);
}

const isMessage = (m: unknown): m is { role: string; content?: unknown; tool_calls?: unknown } =>
  !!m && typeof m === "object" && !Array.isArray(m) && typeof (m as { role?: unknown }).role === "string";

/** Tool calls one per line, as `name({"arg":…})` when they are in OpenAI's shape, else as JSON. */
function toolCallsText(calls: unknown[]): string {
  return calls
    .map((call) => {
      const fn = (call as { function?: { name?: unknown; arguments?: unknown } } | null)?.function;
      if (!fn || typeof fn.name !== "string") return JSON.stringify(call, null, 2);
      let args = typeof fn.arguments === "string" ? fn.arguments : JSON.stringify(fn.arguments ?? {});
      try {
        args = JSON.stringify(JSON.parse(args));
      } catch {
        // Not JSON (a model can send anything): shown as sent.
      }
      return `${fn.name}(${args})`;
    })
    .join("\n");
}

function toChatMessage(m: { role: string; content?: unknown; tool_calls?: unknown }): ChatMessage {
  const toolCalls = Array.isArray(m.tool_calls) && m.tool_calls.length > 0 ? m.tool_calls : null;
  return { role: m.role, content: textOf(m.content), toolCalls: toolCalls ? toolCallsText(toolCalls) : null };
}

/**
 * The messages of an LLM span's input, or null when it has none: a list of `{ role, content, tool_calls? }` (as
 * the OpenTelemetry, Langfuse and LangSmith formats are stored) or `{ messages: [...] }` (as the SDK records them).
 */
export function chatMessagesOf(input: unknown): ChatMessage[] | null {
  const messages = Array.isArray(input)
    ? input
    : input && typeof input === "object"
      ? (input as { messages?: unknown }).messages
      : undefined;
  if (!Array.isArray(messages) || messages.length === 0 || !messages.every(isMessage)) return null;
  return messages.map(toChatMessage);
}

/**
 * The reply of an LLM span's output: a string, `{ content }`, `{ text }`, an OpenAI-style `choices[0].message`, or a
 * list of messages (the first assistant one); tool calls included.
 */
export function replyOf(output: unknown): ChatMessage | null {
  if (typeof output === "string") return output ? { role: "assistant", content: output, toolCalls: null } : null;
  if (Array.isArray(output)) {
    const messages = (output as unknown[]).filter(isMessage);
    const message = messages.find((m) => m.role === "assistant") ?? messages[0];
    return message ? toChatMessage(message) : null;
  }
  if (!output || typeof output !== "object") return null;
  const o = output as { role?: unknown; content?: unknown; text?: unknown; choices?: unknown; tool_calls?: unknown };
  const role = typeof o.role === "string" ? o.role : "assistant";
  if (typeof o.content === "string" || Array.isArray(o.content) || Array.isArray(o.tool_calls))
    return toChatMessage({ role, content: o.content, tool_calls: o.tool_calls });
  if (typeof o.text === "string") return { role, content: o.text, toolCalls: null };
  if (Array.isArray(o.choices)) {
    const message = (o.choices[0] as { message?: unknown } | undefined)?.message;
    if (isMessage(message)) return toChatMessage(message);
  }
  return null;
}

const STYLE: Record<string, { icon: typeof User; label: string; bubble: string; align: "start" | "end" | "full" }> = {
  system: {
    icon: Cog,
    label: "System",
    bubble:
      "bg-zinc-50 text-zinc-600 ring-zinc-200 dark:bg-zinc-900 dark:text-zinc-400 dark:ring-zinc-800 border-dashed",
    align: "full",
  },
  user: {
    icon: User,
    label: "User",
    bubble:
      "bg-indigo-50 text-indigo-950 ring-indigo-200/70 dark:bg-indigo-500/10 dark:text-indigo-100 dark:ring-indigo-400/20",
    align: "end",
  },
  assistant: {
    icon: Bot,
    label: "Assistant",
    bubble: "bg-white text-zinc-800 ring-zinc-200 dark:bg-zinc-800/70 dark:text-zinc-100 dark:ring-zinc-700",
    align: "start",
  },
  tool: {
    icon: Wrench,
    label: "Tool",
    bubble:
      "bg-amber-50 text-amber-950 ring-amber-200/80 dark:bg-amber-400/10 dark:text-amber-100 dark:ring-amber-400/20",
    align: "start",
  },
};

function Bubble({ message, testId }: { message: ChatMessage; testId?: string }) {
  const style = STYLE[message.role] ?? { ...STYLE.assistant!, label: message.role };
  const Icon = style.icon;
  return (
    <li
      data-testid={testId}
      data-role={message.role}
      className={clsx(
        "flex flex-col gap-1",
        style.align === "end" ? "items-end pl-8" : style.align === "start" ? "items-start pr-8" : "items-stretch",
      )}
    >
      <span className="flex items-center gap-1 text-[11px] font-medium text-zinc-500 dark:text-zinc-400">
        <Icon aria-hidden="true" className="size-3" />
        {style.label}
      </span>
      <div
        className={clsx(
          "max-w-full rounded-xl px-3 py-2 text-[13px] leading-5 break-words whitespace-pre-wrap ring-1 ring-inset",
          style.bubble,
          style.align === "end" ? "rounded-tr-sm" : style.align === "start" ? "rounded-tl-sm" : "",
        )}
      >
        {message.content ||
          (message.toolCalls ? null : <span className="text-zinc-600 italic dark:text-zinc-400">(empty)</span>)}
        {message.toolCalls && (
          <pre className="mt-1 overflow-x-auto font-mono text-[11px] leading-4 opacity-80">{message.toolCalls}</pre>
        )}
      </div>
    </li>
  );
}

/** An LLM call as a conversation: the prompt's messages, then the model's reply when there is one. */
export function ChatMessages({ messages, reply }: { messages: ChatMessage[]; reply: ChatMessage | null }) {
  return (
    <ol className="space-y-3" data-testid="chat-messages">
      {messages.map((m, i) => (
        <Bubble key={i} message={m} testId="chat-message" />
      ))}
      {reply && <Bubble message={reply} testId="chat-reply" />}
    </ol>
  );
}
