import type { ChatRequest, ChatResult } from "./sim-model.ts";

export const DEFAULT_BASE_URL = "https://api.openai.com/v1";

export interface ProviderCall extends ChatRequest {
  baseUrl?: string;
  apiKey: string;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** Asks for a streamed answer and hands over its text as it arrives. */
  onToken?: (text: string) => void;
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

interface StreamChunk {
  model?: string;
  choices?: { delta?: { content?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
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
  const stream = call.onToken !== undefined;
  const res = await (call.fetch ?? fetch)(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${call.apiKey}` },
    body: JSON.stringify({
      model: call.model,
      messages,
      temperature: call.temperature,
      max_tokens: call.maxTokens,
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    }),
    signal: call.signal,
  });
  const streamed = stream && res.ok && (res.headers.get("content-type") ?? "").includes("text/event-stream");
  if (streamed && res.body) return readStream(res.body, call);
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
  // A provider that ignores `stream` still answers; its text arrives in one piece.
  call.onToken?.(content);
  return {
    text: content,
    model: body.model ?? call.model,
    inputTokens: body.usage?.prompt_tokens ?? 0,
    outputTokens: body.usage?.completion_tokens ?? 0,
  };
}

/** Server-sent chunks of a streamed completion: `data: {json}` lines, ending with `data: [DONE]`. */
async function readStream(body: ReadableStream<Uint8Array>, call: ProviderCall): Promise<ChatResult> {
  const decoder = new TextDecoder();
  let buffered = "";
  let text = "";
  let model = call.model;
  let inputTokens = 0;
  let outputTokens: number | undefined;
  const onLine = (line: string) => {
    if (!line.startsWith("data:")) return;
    const data = line.slice(5).trim();
    if (data === "" || data === "[DONE]") return;
    let chunk: StreamChunk;
    try {
      chunk = JSON.parse(data) as StreamChunk;
    } catch {
      throw new ProviderError(`Provider streamed non-JSON: ${data.slice(0, 200)}`);
    }
    if (chunk.error) {
      const detail = typeof chunk.error === "string" ? chunk.error : (chunk.error.message ?? "unknown error");
      throw new ProviderError(`Provider failed mid-answer: ${detail}`);
    }
    if (chunk.model) model = chunk.model;
    const delta = chunk.choices?.[0]?.delta?.content;
    if (delta) {
      text += delta;
      call.onToken?.(delta);
    }
    if (chunk.usage) {
      inputTokens = chunk.usage.prompt_tokens ?? inputTokens;
      outputTokens = chunk.usage.completion_tokens ?? outputTokens;
    }
  };
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      onLine(buffered.slice(0, newline).replace(/\r$/, ""));
      buffered = buffered.slice(newline + 1);
    }
  }
  onLine(buffered);
  // Providers that send no usage chunk: count words, as echos/sim does, rather than report nothing.
  return { text, model, inputTokens, outputTokens: outputTokens ?? text.split(/\s+/).filter(Boolean).length };
}
