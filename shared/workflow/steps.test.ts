import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineWorkflow } from "./define.ts";
import { runWorkflow } from "./engine.ts";

const readBody = async (req: IncomingMessage) => {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
};

/** On loopback: an OpenAI-compatible provider and a few plain HTTP routes. */
function startFakeApis() {
  const seen = { chat: [] as unknown[] };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
      const order = /^\/orders\/(\w+)$/.exec(req.url ?? "");
      if (order) return json(200, { id: order[1], status: "shipped" });
      if (req.url === "/moved") return res.writeHead(302, { location: "/orders/9" }).end();
      if (req.url === "/big") return res.writeHead(200).end("x".repeat(2 * 1024 * 1024));
      if (req.url === "/v1/chat/completions") {
        if (req.headers.authorization !== "Bearer sk-test") return json(401, { error: { message: "bad key" } });
        seen.chat.push(body);
        const messages = body.messages as { content: string }[];
        return json(200, {
          model: `${String(body.model)}-2024`,
          choices: [{ message: { role: "assistant", content: `You said: ${messages.at(-1)?.content}` } }],
          usage: { prompt_tokens: 12, completion_tokens: 4 },
        });
      }
      res.writeHead(500).end("no such route");
    })();
  });
  return new Promise<{ server: Server; url: string; seen: typeof seen }>((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }),
    ),
  );
}

let fake: Awaited<ReturnType<typeof startFakeApis>>;
beforeAll(async () => (fake = await startFakeApis()));
afterAll(() => new Promise((resolve) => fake.server.close(resolve)));

describe("steps talking to the outside world", () => {
  const ask = (credential?: string, history?: string) =>
    defineWorkflow({
      name: "provider",
      steps: [
        {
          id: "ask",
          type: "llm",
          model: "gpt-test",
          system: "Be brief.",
          prompt: "Hi {{input.name}}",
          temperature: 0.3,
          maxTokens: 50,
          baseUrl: `${fake.url}/v1`,
          credential,
          history,
          retries: 2,
        },
      ],
    });

  it("calls an OpenAI-compatible provider with the credential's key", async () => {
    const result = await runWorkflow(
      ask("MY_LLM_KEY"),
      { name: "Ann" },
      { credentials: (n) => (n === "MY_LLM_KEY" ? "sk-test" : undefined) },
    );
    expect(result.steps.ask).toMatchObject({
      status: "success",
      output: "You said: Hi Ann",
      model: "gpt-test-2024",
      inputTokens: 12,
      outputTokens: 4,
    });
    expect(fake.seen.chat.at(-1)).toEqual({
      model: "gpt-test",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi Ann" },
      ],
      temperature: 0.3,
      max_tokens: 50,
    });
  });

  it("sends a chat's history to the provider between the system message and the prompt", async () => {
    const history = [
      { role: "user", content: "Hello" },
      { role: "assistant", content: "Hi! How can I help?" },
    ];
    await runWorkflow(ask(undefined, "{{input.history}}"), { name: "Ann", history }, { credentials: () => "sk-test" });
    expect(fake.seen.chat.at(-1)).toMatchObject({
      messages: [{ role: "system", content: "Be brief." }, ...history, { role: "user", content: "Hi Ann" }],
    });
  });

  it("fails the step, without a crash or a retry, when the credential is missing or refused", async () => {
    const missing = await runWorkflow(ask("MY_LLM_KEY"), { name: "Ann" }, { credentials: () => undefined });
    expect(missing.steps.ask?.error).toBe(
      "Missing credential MY_LLM_KEY: set it in Settings → Credentials or send X-User-Credential-MY_LLM_KEY",
    );
    const fallback = await runWorkflow(ask(), {}, { credentials: () => undefined });
    expect(fallback.steps.ask?.error).toMatch(/^Missing credential OPENAI_API_KEY:/);
    const refused = await runWorkflow(ask(), {}, { credentials: () => "sk-wrong" });
    expect(refused.steps.ask).toMatchObject({
      status: "error",
      error: "Provider answered HTTP 401: bad key",
      attempts: 1,
    });
  });

  it("http steps: follow redirects through beforeHttp, fail on non-2xx, refuse oversized bodies", async () => {
    const http = (url: string) =>
      defineWorkflow({ name: "http", steps: [{ id: "h", type: "http", url: `${fake.url}${url}` }] });
    const vetted: string[] = [];
    const beforeHttp = async (url: URL) => void vetted.push(url.pathname);
    expect((await runWorkflow(http("/moved"), {}, { beforeHttp })).output).toMatchObject({ id: "9" });
    expect(vetted).toEqual(["/moved", "/orders/9"]);
    const refused = await runWorkflow(
      http("/orders/1"),
      {},
      { beforeHttp: async () => Promise.reject(new Error("private address")) },
    );
    expect(refused.steps.h?.error).toBe("private address");
    expect((await runWorkflow(http("/nope"), {})).steps.h?.error).toMatch(/^HTTP 500 .*no such route/);
    expect((await runWorkflow(http("/big"), {})).steps.h?.error).toMatch(/larger than the 1048576-byte limit/);
  });
});
