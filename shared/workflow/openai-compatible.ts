import type { ChatRequest, ChatResult } from "./sim-model.ts";

export const DEFAULT_BASE_URL = "https://api.openai.com/v1";

export interface ProviderCall extends ChatRequest {
  baseUrl?: string;
  apiKey: string;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** An error the provider answered with; `status` lets the engine tell a bad request from a passing outage. */
export class ProviderError extends Error {
  override name = "ProviderError";
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

interface CompletionBody {
  model?: string;
  choices?: { message?: { content?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  error?: { message?: string } | string;
}

/** One chat completion against any OpenAI-compatible API (OpenAI, Mistral, Groq, OpenRouter, vLLM, Ollama…). */
export async function chatCompletion(call: ProviderCall): Promise<ChatResult> {
  const url = `${(call.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")}/chat/completions`;
  const messages = [
    ...(call.system ? [{ role: "system", content: call.system }] : []),
    ...(call.history ?? []),
    { role: "user", content: call.prompt },
  ];
  const res = await (call.fetch ?? fetch)(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${call.apiKey}` },
    body: JSON.stringify({ model: call.model, messages, temperature: call.temperature, max_tokens: call.maxTokens }),
    signal: call.signal,
  });
  const text = await res.text();
  let body: CompletionBody = {};
  try {
    body = JSON.parse(text) as CompletionBody;
  } catch {
    if (res.ok) throw new ProviderError(`Provider answered with non-JSON: ${text.slice(0, 200)}`, res.status);
  }
  if (!res.ok) {
    const detail = typeof body.error === "string" ? body.error : (body.error?.message ?? text.slice(0, 300));
    throw new ProviderError(`Provider answered HTTP ${res.status}: ${detail}`, res.status);
  }
  const content = body.choices?.[0]?.message?.content;
  if (typeof content !== "string") throw new ProviderError("Provider answer has no choices[0].message.content");
  return {
    text: content,
    model: body.model ?? call.model,
    inputTokens: body.usage?.prompt_tokens ?? 0,
    outputTokens: body.usage?.completion_tokens ?? 0,
  };
}
