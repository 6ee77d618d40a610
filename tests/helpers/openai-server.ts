import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProviderRequest {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/** A tool call the model asks for: its function's name and arguments. */
export interface ToolCallAnswer {
  toolCalls: { name: string; arguments: Record<string, unknown> }[];
}

/** What the model answers: a text, or tool calls. */
export type Answer = string | ToolCallAnswer;

/**
 * An OpenAI-compatible chat-completions server on loopback that records what it was sent and answers with a text
 * derived from the prompt (or what `answer` returns: a text or tool calls) — streamed as server-sent chunks when the
 * request asks for `stream`. Usage is reported on every answer, and on a stream in a last chunk without choices, as
 * OpenAI does with `stream_options.include_usage`.
 */
export async function startOpenAiServer(answer: (body: Record<string, unknown>) => Answer = defaultAnswer) {
  const requests: ProviderRequest[] = [];
  let calls = 0;
  const readBody = async (req: IncomingMessage) => {
    let text = "";
    for await (const chunk of req) text += String(chunk);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      requests.push({ path: req.url ?? "", authorization: req.headers.authorization, body });
      if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "no such route" }));
        return;
      }
      calls += 1;
      const id = `chatcmpl-${calls}`;
      const created = Math.floor(Date.now() / 1000);
      const model = String(body.model);
      const reply = answer(body);
      const text = typeof reply === "string" ? reply : null;
      const toolCalls =
        typeof reply === "string"
          ? undefined
          : reply.toolCalls.map((call, index) => ({
              index,
              id: `call_${calls}_${index}`,
              type: "function" as const,
              function: { name: call.name, arguments: JSON.stringify(call.arguments) },
            }));
      const finishReason = toolCalls ? "tool_calls" : "stop";
      const usage = {
        prompt_tokens: 40,
        completion_tokens: text ? text.split(/\s+/).length : 12,
        total_tokens: 40 + (text ? text.split(/\s+/).length : 12),
      };
      if (body.stream !== true) {
        const message = { role: "assistant", content: text, ...(toolCalls ? { tool_calls: toolCalls } : {}) };
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            id,
            object: "chat.completion",
            created,
            model,
            choices: [{ index: 0, message, finish_reason: finishReason }],
            usage,
          }),
        );
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
        res.write(
          `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices, ...extra })}\n\n`,
        );
      chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]);
      for (const piece of text?.match(/\S+\s*/g) ?? []) {
        chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      for (const call of toolCalls ?? []) chunk([{ index: 0, delta: { tool_calls: [call] }, finish_reason: null }]);
      chunk([{ index: 0, delta: {}, finish_reason: finishReason }]);
      chunk([], { usage });
      res.end("data: [DONE]\n\n");
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const defaultAnswer = (body: Record<string, unknown>) => `Answer to: ${lastUser(body)}`;

function lastUser(body: Record<string, unknown>): string {
  const messages = (body.messages ?? []) as { role: string; content: string }[];
  return messages.filter((m) => m.role === "user").at(-1)?.content ?? "";
}
