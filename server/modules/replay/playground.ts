import type { ChatMessage, ReplayRequest } from "@shared/schemas/replay.ts";
import type { WorkflowDefinitionInput } from "@shared/workflow/define.ts";
import { badRequest } from "../../lib/errors.ts";

export const PLAYGROUND_STEP = "playground";

/**
 * The playground's LLM call as a one-step workflow, so it runs on the same engine (providers, credentials, streamed
 * tokens) as any replay: system messages become the system prompt, the last user message the prompt, and the turns
 * between them the history.
 */
export function playgroundStep(
  request: Extract<ReplayRequest, { mode: "span" }>,
): WorkflowDefinitionInput["steps"][number] {
  const messages: ChatMessage[] = request.messages;
  const last = messages.at(-1)!;
  if (last.role !== "user") throw badRequest("The last message must be the user's: it is what the model answers");
  const system = messages.filter((m) => m.role === "system").map((m) => m.content);
  const history = messages
    .slice(0, -1)
    .filter((m) => m.role !== "system")
    .map((m) => ({ role: m.role as "user" | "assistant", content: m.content }));
  return {
    id: PLAYGROUND_STEP,
    type: "llm",
    model: request.model,
    system: system.length > 0 ? system.join("\n\n") : undefined,
    history: history.length > 0 ? history : undefined,
    prompt: last.content,
    temperature: request.temperature,
    maxTokens: request.maxTokens,
    credential: request.credential,
    baseUrl: request.baseUrl,
  };
}

/**
 * A recorded LLM span's messages: the runtime's spans keep `{messages}`, OpenTelemetry GenAI spans a list of
 * messages, simple `trace()` spans sometimes just the prompt text.
 */
export function messagesOf(input: unknown): ChatMessage[] {
  if (typeof input === "string") return [{ role: "user", content: input }];
  const raw = Array.isArray(input) ? input : (input as { messages?: unknown } | null)?.messages;
  const messages: ChatMessage[] = [];
  if (!Array.isArray(raw)) return messages;
  for (const m of raw) {
    const role = (m as { role?: unknown })?.role;
    const content = (m as { content?: unknown })?.content;
    if ((role === "system" || role === "user" || role === "assistant") && content !== undefined && content !== null)
      messages.push({ role, content: typeof content === "string" ? content : JSON.stringify(content) });
  }
  return messages;
}

/** A number among a span config's parameters, under any of the names SDKs and conventions use. */
export function configNumber(config: unknown, ...names: string[]): number | null {
  for (const name of names) {
    const value = (config as Record<string, unknown> | null)?.[name];
    if (typeof value === "number" && Number.isFinite(value)) return value;
  }
  return null;
}

/**
 * The answer text of a recorded LLM span, for comparing it with the playground's: spans keep the text, a list of
 * messages (OpenTelemetry), or the object the traced function returned (`{text}`, `{content}`…).
 */
export function answerOf(output: unknown): unknown {
  if (typeof output === "string") return output;
  if (Array.isArray(output)) {
    const texts = output.flatMap((m) =>
      (m as { role?: unknown })?.role === "assistant" && typeof (m as { content?: unknown }).content === "string"
        ? [(m as { content: string }).content]
        : [],
    );
    return texts.length > 0 ? texts.join("\n") : output;
  }
  if (output && typeof output === "object")
    for (const key of ["text", "content", "answer", "output", "message"]) {
      const value = (output as Record<string, unknown>)[key];
      if (typeof value === "string") return value;
    }
  return output;
}
