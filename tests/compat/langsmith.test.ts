import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs, spans } from "../../db/schema.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { startOpenAiServer } from "../helpers/openai-server.ts";
import { startTestServer } from "../helpers/server.ts";

const AGENT = fileURLToPath(new URL("./agents/langsmith-agent.ts", import.meta.url));
const LANGCHAIN_AGENT = fileURLToPath(new URL("./agents/langchain-agent.ts", import.meta.url));

interface Seen {
  method: string;
  path: string;
  encoding: string | undefined;
  contentType: string;
  status: number;
}

/**
 * A pass-through HTTP proxy on loopback in front of the server, recording what the client chose to send (route,
 * content type, compression) and what it was answered: the client picks its endpoints itself.
 */
async function startRecordingProxy(target: string) {
  const seen: Seen[] = [];
  const upstream = new URL(target);
  const proxy = createServer((req, res) => {
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        seen.push({
          method: req.method ?? "",
          path: (req.url ?? "").replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ":id"),
          encoding: req.headers["content-encoding"],
          contentType: (req.headers["content-type"] ?? "").split(";")[0]!,
          status: answer.statusCode ?? 0,
        });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  };
}

describe("LangSmith drop-in (/api/langsmith)", () => {
  let server: RunningServer;
  let model: Awaited<ReturnType<typeof startOpenAiServer>>;
  let user: TestUser;
  let key: string;
  let base: string;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;

  /** The agent program in its own Node process, configured only through LangSmith's own variables. */
  const agent = async <T>(
    scenario: string,
    env: Record<string, string> = {},
    program = AGENT,
  ): Promise<{ result: T; stderr: string }> => {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      const environment = {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        LANGSMITH_TRACING: "true",
        LANGSMITH_ENDPOINT: `${proxy.url}/api/langsmith`,
        LANGSMITH_API_KEY: key,
        MODEL_URL: model.url,
        ...env,
      };
      // Killed before the test's own limit, so a stuck program fails with its output rather than a timeout.
      execFile(
        process.execPath,
        ["--import", "tsx", program, scenario],
        { env: environment, timeout: 25_000 },
        (error, out, err) =>
          error
            ? reject(new Error(`${scenario} failed: ${error.message}\n${err}`))
            : resolve({ stdout: out, stderr: err }),
      );
    });
    return { result: JSON.parse(stdout.trim().split("\n").at(-1)!) as T, stderr };
  };

  const stored = async (traceId: string) => {
    const db = server.deps.database.db;
    const [row] = await db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.id, `langsmith-${traceId}`)));
    const rows = await db
      .select()
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.runId, `langsmith-${traceId}`)));
    const byName = (name: string) => rows.filter((s) => s.name === name);
    return { run: row, spans: rows, byName, one: (name: string) => byName(name)[0]! };
  };

  const send = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { "x-api-key": key, ...init.headers } });

  beforeAll(async () => {
    server = await startTestServer();
    // The model asks for a tool when asked about the weather, and answers in text otherwise.
    model = await startOpenAiServer((body) => {
      const messages = body.messages as { content: string }[];
      return messages.at(-1)?.content.includes("weather")
        ? { toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] }
        : `Answer to: ${messages.at(-1)?.content}`;
    });
    user = await createUser(server.deps, "langsmith");
    key = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "ls", scope: "ingest" })).key;
    base = `${server.url}/api/langsmith`;
    proxy = await startRecordingProxy(server.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await model?.close();
    await server?.shutdown();
  });

  it("answers GET /info with the batch settings the client reads", async () => {
    const res = await fetch(`${base}/info`);
    expect(res.status).toBe(200);
    const info = (await res.json()) as {
      batch_ingest_config: { use_multipart_endpoint: boolean; size_limit: number };
      instance_flags: { gzip_body_enabled: boolean };
    };
    expect(info.batch_ingest_config.use_multipart_endpoint).toBe(true);
    expect(info.batch_ingest_config.size_limit).toBeGreaterThan(0);
    expect(info.instance_flags.gzip_body_enabled).toBe(true);
  });

  // The client's own choice: gzip-compressed multipart, as /info allows; then plain multipart, streamed.
  for (const [label, env] of [
    ["compressed multipart", {}],
    ["uncompressed multipart", { LANGSMITH_DISABLE_RUN_COMPRESSION: "true" }],
  ] as const) {
    it(`stores traceable functions and wrapOpenAI calls as one run with its span tree (${label})`, async () => {
      const calls = model.requests.length;
      proxy.seen.length = 0;
      const { result, stderr } = await agent<{ traceId: string; failedTraceId: string }>("traceable", env);
      expect(model.requests.length).toBe(calls + 3);
      // The client reports failed uploads only on stderr.
      expect(stderr).toBe("");
      const uploads = proxy.seen.filter((s) => s.path !== "/api/langsmith/info");
      expect(uploads.length).toBeGreaterThan(0);
      for (const upload of uploads) {
        expect(upload).toMatchObject({
          method: "POST",
          path: "/api/langsmith/runs/multipart",
          contentType: "multipart/form-data",
          status: 202,
        });
        expect(upload.encoding).toBe(label === "compressed multipart" ? "gzip" : undefined);
      }

      const trace = await stored(result.traceId);
      expect(trace.run).toMatchObject({
        name: "research agent",
        status: "success",
        input: "What is the capital of France?",
        tags: expect.arrayContaining(["compat", "langsmith"]),
        conversationId: "thread-42",
      });
      expect(trace.run!.output).toMatchObject({ answer: expect.stringContaining("Answer to:"), toolCalls: 1 });
      expect(trace.run!.endedAt).not.toBeNull();
      expect(trace.spans).toHaveLength(6);

      const root = trace.one("research agent");
      expect(root).toMatchObject({ parentId: null, kind: "agent", status: "success" });
      for (const child of trace.spans.filter((s) => s !== root)) expect(child.parentId).toBe(root.id);

      expect(trace.one("search")).toMatchObject({
        kind: "tool",
        status: "success",
        input: "What is the capital of France?",
        output: { hits: ["What is the capital of France?: 3 results"] },
      });
      expect(trace.one("lookup")).toMatchObject({
        kind: "tool",
        status: "error",
        input: "doc-1",
        error: expect.stringContaining("the index is offline"),
      });

      const [plain, streamed, planned] = trace.byName("ChatOpenAI").sort((a, b) => +a.startedAt - +b.startedAt);
      expect(plain).toMatchObject({
        kind: "llm",
        status: "success",
        model: "gpt-4o-mini",
        inputTokens: 40,
        input: [
          { role: "system", content: "Answer briefly." },
          { role: "user", content: "What is the capital of France? (What is the capital of France?: 3 results)" },
        ],
        output: [{ role: "assistant", content: expect.stringContaining("Answer to: What is the capital") }],
      });
      expect(plain!.outputTokens).toBeGreaterThan(0);
      expect(plain!.config).toMatchObject({ model: "gpt-4o-mini", temperature: 0.2 });
      expect(streamed).toMatchObject({
        kind: "llm",
        status: "success",
        model: "gpt-4o-mini",
        inputTokens: 40,
        input: [{ role: "user", content: "Say it again" }],
        output: [{ role: "assistant", content: "Answer to: Say it again" }],
      });
      expect(planned).toMatchObject({
        kind: "llm",
        inputTokens: 40,
        output: [
          {
            role: "assistant",
            content: null,
            finish_reason: "tool_calls",
            tool_calls: [
              { type: "function", function: { name: "get_weather", arguments: JSON.stringify({ city: "Paris" }) } },
            ],
          },
        ],
      });
      expect(planned!.config).toMatchObject({ tools: [{ function: { name: "get_weather" } }] });
      // Each model call counts once in the run's totals.
      expect(trace.run!.inputTokens).toBe(120);
      expect(root.attributes).toMatchObject({ "langsmith.run_type": "chain" });

      const failed = await stored(result.failedTraceId);
      expect(failed.run).toMatchObject({ name: "broken agent", status: "error" });
      expect(failed.run!.error).toContain("the planner crashed");
      expect(failed.spans).toHaveLength(1);
      // A chain that wraps nothing is not an agent step.
      expect(failed.spans[0]).toMatchObject({ kind: "custom", status: "error" });
    });
  }

  it("stores a LangChain agent traced by LangChain's own tracer: the chain, its model calls and its tool", async () => {
    const calls = model.requests.length;
    const { result, stderr } = await agent<{ traceId: string; answer: string }>("langchain", {}, LANGCHAIN_AGENT);
    expect(model.requests.length).toBe(calls + 2);
    expect(stderr).toBe("");
    expect(result.answer).toContain("Sunny in Paris");

    const trace = await stored(result.traceId);
    expect(trace.run).toMatchObject({
      name: "weather-agent",
      status: "success",
      input: "What is the weather in Paris?",
    });
    const root = trace.one("weather-agent");
    expect(root).toMatchObject({ parentId: null, kind: "agent", status: "success" });
    const [asked, answered] = trace.byName("ChatOpenAI").sort((a, b) => +a.startedAt - +b.startedAt);
    expect(asked).toMatchObject({
      kind: "llm",
      status: "success",
      model: "gpt-4o-mini",
      inputTokens: 40,
      input: [{ role: "user", content: "What is the weather in Paris?" }],
    });
    const [message] = asked!.output as { tool_calls?: unknown[] }[];
    expect(message!.tool_calls).toEqual([
      expect.objectContaining({ function: expect.objectContaining({ name: "get_weather" }) }),
    ]);
    expect(answered).toMatchObject({ kind: "llm", model: "gpt-4o-mini", inputTokens: 40 });
    expect(answered!.output).toEqual([
      expect.objectContaining({ role: "assistant", content: expect.stringContaining("Sunny in Paris") }),
    ]);
    expect(trace.one("get_weather")).toMatchObject({
      kind: "tool",
      status: "success",
      output: expect.stringContaining("Sunny in Paris"),
    });
    for (const span of trace.spans.filter((s) => s !== root)) expect(span.parentId).toBe(root.id);
    // Each model call counts once in the run's totals.
    expect(trace.run!.inputTokens).toBe(80);
  });

  it("takes the Client's createRun/updateRun, batchIngestRuns and multipartIngestRuns", async () => {
    proxy.seen.length = 0;
    const { result, stderr } = await agent<{
      rootId: string;
      childId: string;
      unknownPatch: string;
      batch: { root: string; tool: string };
      multipart: { root: string; tool: string };
    }>("client");
    expect(stderr).toBe("");
    expect(proxy.seen.map((s) => `${s.method} ${s.path} ${s.status}`)).toEqual([
      "POST /api/langsmith/runs 202",
      "POST /api/langsmith/runs 202",
      "PATCH /api/langsmith/runs/:id 202",
      "PATCH /api/langsmith/runs/:id 202",
      "PATCH /api/langsmith/runs/:id 404",
      "POST /api/langsmith/runs/batch 202",
      "POST /api/langsmith/runs/batch 202",
      "POST /api/langsmith/runs/multipart 202",
      "POST /api/langsmith/runs/multipart 202",
    ]);

    // POST /runs and PATCH /runs/:id, the updates carrying only the end, the outputs and the usage.
    const direct = await stored(result.rootId);
    expect(direct.run).toMatchObject({
      name: "pipeline",
      status: "success",
      input: { question: "Why is the sky blue?" },
      output: { answer: "Rayleigh scattering." },
      conversationId: "ticket-7",
      inputTokens: 12,
      outputTokens: 4,
    });
    // The metadata of the create, kept through the root's update that did not repeat it.
    expect(direct.run!.metadata).toMatchObject({
      source: "langsmith",
      project: "support-bot",
      metadata: { thread_id: "ticket-7" },
    });
    expect(direct.spans).toHaveLength(2);
    const llm = direct.one("ChatOpenAI");
    expect(llm).toMatchObject({
      id: `langsmith-${result.childId}`,
      parentId: `langsmith-${result.rootId}`,
      kind: "llm",
      status: "success",
      model: "gpt-4.1-mini",
      inputTokens: 12,
      outputTokens: 4,
      input: [{ role: "user", content: "Why is the sky blue?" }],
      output: [{ role: "assistant", content: "Rayleigh scattering." }],
    });
    expect(llm.endedAt).not.toBeNull();
    // The chain wraps the model call: an agent step, its name and start kept through the update.
    expect(direct.one("pipeline")).toMatchObject({ kind: "agent", status: "success" });

    // An update of a run never created is refused, readably.
    expect(result.unknownPatch).toMatch(/404/);
    expect(result.unknownPatch).toMatch(/unknown run/);

    for (const [mode, ids] of [
      ["batch", result.batch],
      ["multipart", result.multipart],
    ] as const) {
      const trace = await stored(ids.root);
      expect(trace.run).toMatchObject({
        name: `${mode} agent`,
        status: "success",
        input: { task: mode },
        output: { result: "four" },
      });
      expect(trace.spans).toHaveLength(2);
      expect(trace.one("calculator")).toMatchObject({
        id: `langsmith-${ids.tool}`,
        parentId: `langsmith-${ids.root}`,
        kind: "tool",
        input: "2+2",
        output: "four",
        status: "success",
      });
      expect(trace.one(`${mode} agent`)).toMatchObject({ kind: "agent", status: "success" });
    }
  });

  describe("bad input", () => {
    const t = (offsetMs = 0) => new Date(Date.now() - 10_000 + offsetMs).toISOString();
    const json = (body: unknown) => ({
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

    it("refuses requests without a valid key", async () => {
      const res = await fetch(`${base}/runs`, json({ id: randomUUID(), name: "x", start_time: t() }));
      expect(res.status).toBe(401);
      const wrong = await fetch(`${base}/runs/batch`, {
        ...json({ post: [] }),
        headers: { "content-type": "application/json", "x-api-key": "echos_not_a_key" },
      });
      expect(wrong.status).toBe(401);
    });

    it("answers malformed bodies with 400 and a reason", async () => {
      const broken = await send("/runs", json("{not json"));
      expect(broken.status).toBe(400);
      const notObject = await send("/runs", json([1, 2]));
      expect(notObject.status).toBe(400);
      expect(((await notObject.json()) as { message: string }).message).toMatch(/JSON object/);
      const notList = await send("/runs/batch", json({ post: "nope" }));
      expect(notList.status).toBe(400);
      expect(((await notList.json()) as { message: string }).message).toMatch(/post must be a list/);
      const noName = await send("/runs", json({ id: randomUUID(), start_time: t() }));
      expect(noName.status).toBe(400);
      expect(((await noName.json()) as { message: string }).message).toMatch(/name is missing/);
      const notMultipart = await send("/runs/multipart", {
        method: "POST",
        headers: { "content-type": "multipart/form-data; boundary=abc" },
        body: "garbage",
      });
      expect(notMultipart.status).toBe(400);
    });

    it("answers an update of an unknown run with 404", async () => {
      const res = await send(`/runs/${randomUUID()}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ end_time: t() }),
      });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { message: string }).message).toMatch(/unknown run/);
    });

    it("keeps the valid runs of a batch whose other runs are refused", async () => {
      const good = randomUUID();
      const res = await send(
        "/runs/batch",
        json({
          post: [
            { id: good, trace_id: good, name: "good", run_type: "chain", start_time: t(), end_time: t(5) },
            { id: randomUUID(), run_type: "tool", start_time: t() },
            { id: "not a valid id!", name: "bad id", start_time: t() },
            "not a run",
          ],
          patch: [{ id: randomUUID(), end_time: t(9) }],
        }),
      );
      expect(res.status).toBe(202);
      const body = (await res.json()) as { accepted: number; rejected: number; errors: { error: string }[] };
      expect(body.accepted).toBe(1);
      expect(body.rejected).toBe(4);
      expect(body.errors.map((e) => e.error).join(" ")).toMatch(/name is missing.*id is missing|id is missing/);
      expect((await stored(good)).run).toMatchObject({ name: "good", status: "success" });
    });

    it("refuses a run whose multipart part is not JSON, and keeps its neighbours", async () => {
      const good = randomUUID();
      const bad = randomUUID();
      const form = new FormData();
      const part = (value: unknown) => new Blob([JSON.stringify(value)], { type: "application/json" });
      form.append(`post.${good}`, part({ id: good, trace_id: good, name: "kept", run_type: "chain", start_time: t() }));
      form.append(`post.${good}.inputs`, part({ question: "q" }));
      form.append(`post.${good}.outputs`, part({ answer: "a" }));
      form.append(`post.${bad}`, part({ id: bad, trace_id: bad, name: "dropped", start_time: t() }));
      form.append(`post.${bad}.inputs`, new Blob(["{truncated"], { type: "application/json" }));
      form.append(`attachment.${good}.notes`, new Blob(["hello"], { type: "text/plain" }));
      const res = await send("/runs/multipart", { method: "POST", body: form });
      expect(res.status).toBe(202);
      const body = (await res.json()) as {
        accepted: number;
        rejected: number;
        errors: { id: string; error: string }[];
      };
      expect(body).toMatchObject({ accepted: 1, rejected: 1 });
      expect(body.errors[0]).toMatchObject({ id: bad, error: expect.stringMatching(/not JSON/) });
      const kept = await stored(good);
      expect(kept.run).toMatchObject({ name: "kept", input: { question: "q" }, output: { answer: "a" } });
      expect(kept.one("kept").attributes).toMatchObject({
        "langsmith.attachments": [{ name: "notes", type: "text/plain", size: 5 }],
      });
      expect((await stored(bad)).run).toBeUndefined();
    });
  });
});
