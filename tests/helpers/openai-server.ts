import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProviderRequest {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/**
 * An OpenAI-compatible chat-completions server on loopback that records what it was sent and answers with a text
 * derived from the prompt — streamed as server-sent chunks when the request asks for `stream`.
 */
export async function startOpenAiServer(answer = (body: Record<string, unknown>) => `Answer to: ${lastUser(body)}`) {
  const requests: ProviderRequest[] = [];
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
      const text = answer(body);
      const usage = { prompt_tokens: 40, completion_tokens: text.split(/\s+/).length };
      if (body.stream !== true) {
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            model: String(body.model),
            choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
            usage,
          }),
        );
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const piece of text.match(/\S+\s*/g) ?? []) {
        res.write(
          `data: ${JSON.stringify({ model: body.model, choices: [{ index: 0, delta: { content: piece } }] })}\n\n`,
        );
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      res.write(`data: ${JSON.stringify({ model: body.model, choices: [], usage })}\n\n`);
      res.end("data: [DONE]\n\n");
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function lastUser(body: Record<string, unknown>): string {
  const messages = (body.messages ?? []) as { role: string; content: string }[];
  return messages.filter((m) => m.role === "user").at(-1)?.content ?? "";
}
