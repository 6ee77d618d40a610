import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { otelLogRecords, spans } from "../../db/schema.ts";
import type { IngestRun, IngestSpan } from "@shared/schemas/ingest.ts";
import { mapSpans } from "../../server/modules/ingest/formats/otel/index.ts";
import { decodeJsonLogsRequest, type OtlpSpan, otlpProtobufTypes } from "../../server/modules/otlp/decode.ts";
import { eventOfRecord, pruneLogRecords, withLogEvents } from "../../server/modules/otlp/log-records.ts";
import type { RunningServer } from "../../server/server.ts";
import { TEST_DATABASE_URL } from "../helpers/env.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { startOpenAiServer } from "../helpers/openai-server.ts";
import { startTestServer } from "../helpers/server.ts";
import { runAgent, storedTrace } from "./run-agent.ts";

interface AgentSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  error: boolean;
}

/** The instrumented application, in a process of its own (the instrumentation patches `openai` as it loads). */
async function runOpenAiAgent(env: {
  echosUrl: string;
  key: string;
  modelUrl: string;
  encoding: "json" | "proto";
  scenario: "chat" | "stream" | "tools" | "error";
  order: "logs-first" | "spans-first";
  serviceName?: string;
}): Promise<AgentSpan[]> {
  const { spans: agentSpans } = await runAgent<{ spans: AgentSpan[] }>("otel-openai-chat.mjs", {
    ECHOS_URL: env.echosUrl,
    ECHOS_KEY: env.key,
    MODEL_URL: env.modelUrl,
    ENCODING: env.encoding,
    SCENARIO: env.scenario,
    ORDER: env.order,
    // Unset, the SDK's default service name applies.
    SERVICE_NAME: env.serviceName ?? "",
  });
  return agentSpans;
}

/** A model server that fails every call, as a provider's outage does. */
async function startFailingModelServer() {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () =>
      res
        .writeHead(500, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { message: "The model is overloaded", type: "server_error" } })),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("openai + @opentelemetry/instrumentation-openai, traces and logs exported to Echos", () => {
  let server: RunningServer;
  let user: TestUser;
  let key: string;
  let model: Awaited<ReturnType<typeof startOpenAiServer>>;

  const stored = (traceId: string) => storedTrace(server, user.orgId, traceId);

  beforeAll(async () => {
    server = await startTestServer();
    user = await createUser(server.deps, "otel-genai");
    key = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "otel", scope: "ingest" })).key;
    // Asked with tools and no tool result yet: the model calls the tool; otherwise it answers in words.
    model = await startOpenAiServer((body) => {
      const messages = body.messages as { role: string; content: string }[];
      if (body.tools && messages.at(-1)?.role !== "tool")
        return { toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] };
      if (messages.at(-1)?.role === "tool") return "Sunny in Paris.";
      return `Answer to: ${messages.filter((m) => m.role === "user").at(-1)?.content}`;
    });
  });
  afterAll(async () => {
    await model?.close();
    await server?.shutdown();
  });

  it("stores a chat call's messages, output, model, parameters and tokens (JSON, the span before its logs)", async () => {
    const [span] = await runOpenAiAgent({
      echosUrl: server.url,
      key,
      modelUrl: model.url,
      encoding: "json",
      scenario: "chat",
      order: "spans-first",
    });
    const { run: storedRun, spans: stored_ } = await stored(span!.traceId);
    expect(stored_).toHaveLength(1);
    expect(stored_[0]).toMatchObject({
      id: `otel-${span!.spanId}`,
      name: "chat gpt-4o-mini",
      kind: "llm",
      status: "success",
      model: "gpt-4o-mini",
      inputTokens: 40,
      outputTokens: 8, // the loopback model counts the words of its answer
      config: { temperature: 0.3 },
      input: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "What is the capital of France?" },
      ],
      output: [
        {
          role: "assistant",
          content: "Answer to: What is the capital of France?",
          index: 0,
          finish_reason: "stop",
        },
      ],
    });
    expect(stored_[0]!.attributes).toMatchObject({
      "gen_ai.system": "openai",
      "gen_ai.response.finish_reasons": ["stop"],
      "otel.scope.name": "@opentelemetry/instrumentation-openai",
    });
    // No service name was configured (the SDK says `unknown_service:…`): the run is named after its root span.
    expect(storedRun).toMatchObject({
      name: "chat gpt-4o-mini",
      inputTokens: 40,
      outputTokens: 8,
      input: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "What is the capital of France?" },
      ],
    });
    expect((storedRun!.metadata as { resource: Record<string, unknown> }).resource["service.name"]).toMatch(
      /^unknown_service/,
    );
  });

  it("stores a streamed call's text and usage (protobuf, the logs before their span)", async () => {
    const service = `stream-bot-${Math.random().toString(36).slice(2, 8)}`;
    const [span] = await runOpenAiAgent({
      echosUrl: server.url,
      key,
      modelUrl: model.url,
      encoding: "proto",
      scenario: "stream",
      order: "logs-first",
      serviceName: service,
    });
    const { run: storedRun, spans: stored_ } = await stored(span!.traceId);
    expect(storedRun?.name).toBe(service);
    expect(stored_).toHaveLength(1);
    expect(stored_[0]).toMatchObject({
      kind: "llm",
      status: "success",
      model: "gpt-4o-mini",
      inputTokens: 40,
      outputTokens: 5,
      input: [{ role: "user", content: "Count to three" }],
      output: [{ role: "assistant", content: "Answer to: Count to three", finish_reason: "stop" }],
    });
  });

  for (const [encoding, order] of [
    ["proto", "spans-first"],
    ["json", "logs-first"],
  ] as const) {
    it(`stores the tool call and its result across an agent's two calls (${encoding}, ${order})`, async () => {
      const agentSpans = await runOpenAiAgent({
        echosUrl: server.url,
        key,
        modelUrl: model.url,
        encoding,
        scenario: "tools",
        order,
      });
      const root = agentSpans.find((s) => s.name === "weather agent")!;
      const { run: storedRun, spans: stored_ } = await stored(root.traceId);
      expect(storedRun?.name).toBe("weather agent");
      expect(stored_).toHaveLength(3);
      const calls = stored_.filter((s) => s.kind === "llm").sort((a, b) => +a.startedAt - +b.startedAt);
      expect(calls).toHaveLength(2);
      for (const call of calls) expect(call.parentId).toBe(`otel-${root.spanId}`);

      const toolCall = {
        id: expect.stringMatching(/^call_/),
        type: "function",
        function: { name: "get_weather", arguments: JSON.stringify({ city: "Paris" }) },
      };
      expect(calls[0]).toMatchObject({
        input: [{ role: "user", content: "Weather in Paris?" }],
        output: [{ role: "assistant", finish_reason: "tool_calls", tool_calls: [toolCall] }],
        inputTokens: 40,
        outputTokens: 12,
      });
      const callId = (calls[0]!.output as { tool_calls: { id: string }[] }[])[0]!.tool_calls[0]!.id;
      expect(calls[1]).toMatchObject({
        input: [
          { role: "user", content: "Weather in Paris?" },
          { role: "assistant", tool_calls: [{ ...toolCall, id: callId }] },
          { role: "tool", tool_call_id: callId, content: JSON.stringify({ city: "Paris", sky: "sunny" }) },
        ],
        output: [{ role: "assistant", content: "Sunny in Paris.", finish_reason: "stop" }],
      });
      // Each model call counted once in the run's totals.
      expect(storedRun).toMatchObject({ inputTokens: 80, outputTokens: 12 + 3 });
    });
  }

  it("stores a failed call as an error, with the prompt it was sent", async () => {
    const failing = await startFailingModelServer();
    try {
      const [span] = await runOpenAiAgent({
        echosUrl: server.url,
        key,
        modelUrl: failing.url,
        encoding: "json",
        scenario: "error",
        order: "spans-first",
      });
      expect(span!.error).toBe(true);
      const { run: storedRun, spans: stored_ } = await stored(span!.traceId);
      expect(stored_[0]).toMatchObject({
        kind: "llm",
        status: "error",
        input: [{ role: "user", content: "Fail, please" }],
        inputTokens: null,
        outputTokens: null,
      });
      expect(stored_[0]!.error).toContain("The model is overloaded");
      expect(storedRun).toMatchObject({ status: "error" });
    } finally {
      await failing.close();
    }
  });
});

/** Log records written by hand here only to test what the route refuses; what libraries send is tested above. */
describe("POST /v1/logs: bad input and bookkeeping", () => {
  let server: RunningServer;
  let user: TestUser;
  let key: string;

  const hex = (bytes: number) =>
    Array.from({ length: bytes }, () =>
      Math.floor(Math.random() * 256)
        .toString(16)
        .padStart(2, "0"),
    ).join("");
  const record = (traceId: unknown, spanId: unknown, event: string, content: string) => ({
    timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
    attributes: [{ key: "event.name", value: { stringValue: event } }],
    body: { kvlistValue: { values: [{ key: "content", value: { stringValue: content } }] } },
    traceId,
    spanId,
  });
  const logs = (...records: unknown[]) => ({ resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] });
  const post = (body: string | Uint8Array, contentType = "application/json", apiKey = key) =>
    fetch(`${server.url}/v1/logs`, {
      method: "POST",
      headers: { "content-type": contentType, "x-api-key": apiKey },
      body: typeof body === "string" ? body : Buffer.from(body),
    });
  const recordsOf = (spanId: string) =>
    server.deps.database.db
      .select()
      .from(otelLogRecords)
      .where(and(eq(otelLogRecords.orgId, user.orgId), eq(otelLogRecords.spanId, `otel-${spanId}`)));

  beforeAll(async () => {
    server = await startTestServer();
    user = await createUser(server.deps, "otel-logs");
    key = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "otel", scope: "ingest" })).key;
  });
  afterAll(() => server?.shutdown());

  it("answers 400 with a reason for a body it cannot read, 415 for another media type, 413 above 5 MB, 401 without a key", async () => {
    const json = await post("{not json");
    expect(json.status).toBe(400);
    const proto = await post(new Uint8Array([0x0a, 0xff, 0xff, 0xff]), "application/x-protobuf");
    expect(proto.status).toBe(400);
    expect(((await proto.json()) as { message: string }).message).toContain("ExportLogsServiceRequest");
    const shape = await post(JSON.stringify({ resourceLogs: {} }));
    expect(shape.status).toBe(400);
    expect(((await shape.json()) as { message: string }).message).toBe("resourceLogs must be an array");
    expect((await post("x", "text/plain")).status).toBe(415);
    const large = await post(JSON.stringify(logs(record(hex(16), hex(8), "gen_ai.user.message", "x".repeat(6e6)))));
    expect(large.status).toBe(413);
    expect(((await large.json()) as { message: string }).message).toContain("log record processor");
    expect((await post(JSON.stringify(logs()), "application/json", "echos_i_nope")).status).toBe(401);
  });

  it("refuses a record with a malformed id in partialSuccess and keeps its neighbours", async () => {
    const traceId = hex(16);
    const spanId = hex(8);
    const body = logs(
      record(traceId, "not-an-id", "gen_ai.user.message", "lost"),
      record(traceId, spanId, "gen_ai.user.message", "kept"),
    );
    const response = await post(JSON.stringify(body));
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { partialSuccess: { rejectedLogRecords: number; errorMessage: string } };
    expect(answer.partialSuccess.rejectedLogRecords).toBe(1);
    expect(answer.partialSuccess.errorMessage).toContain("spanId is invalid");
    const kept = await recordsOf(spanId);
    expect(kept.map((r) => (r.event as { attributes: { content: string } }).attributes.content)).toEqual(["kept"]);

    // The same in protobuf: ids are bytes there, and 3 bytes are not a span id.
    const { logsRequest, logsResponse } = otlpProtobufTypes;
    const protoSpan = hex(8);
    const bytes = (h: string) => Buffer.from(h, "hex");
    const message = logsRequest.fromObject(
      logs(
        { ...record(null, null, "gen_ai.user.message", "lost"), traceId: bytes(traceId), spanId: bytes("abcdef") },
        { ...record(null, null, "gen_ai.user.message", "kept"), traceId: bytes(traceId), spanId: bytes(protoSpan) },
      ),
    );
    const protoResponse = await post(logsRequest.encode(message).finish(), "application/x-protobuf");
    expect(protoResponse.status).toBe(200);
    const decoded = logsResponse.toObject(logsResponse.decode(new Uint8Array(await protoResponse.arrayBuffer())), {
      longs: Number,
    }) as { partialSuccess: { rejectedLogRecords: number } };
    expect(decoded.partialSuccess.rejectedLogRecords).toBe(1);
    expect(await recordsOf(protoSpan)).toHaveLength(1);
  });

  it("acknowledges and does not store other log records, nor GenAI events without a span", async () => {
    const spanId = hex(8);
    const plain = record(hex(16), spanId, "app.started", "hello");
    plain.attributes = [];
    const response = await post(
      JSON.stringify(logs(plain, record(undefined, undefined, "gen_ai.user.message", "nowhere"))),
    );
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { partialSuccess: { rejectedLogRecords: number; errorMessage: string } };
    expect(answer.partialSuccess).toEqual({
      rejectedLogRecords: 0,
      errorMessage: expect.stringContaining("without a trace and span id were ignored"),
    });
    expect(await recordsOf(spanId)).toHaveLength(0);
    // A clean export answers an empty message.
    const clean = await post(JSON.stringify(logs(record(hex(16), hex(8), "gen_ai.user.message", "hi"))));
    expect(await clean.json()).toEqual({});
  });

  it("stores a record sent twice once, and deletes records older than a day", async () => {
    const spanId = hex(8);
    const body = JSON.stringify(logs(record(hex(16), spanId, "gen_ai.user.message", "again")));
    expect((await post(body)).status).toBe(200);
    // The exporter's retry, gzip-compressed this time.
    const retry = await fetch(`${server.url}/v1/logs`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip", "x-api-key": key },
      body: gzipSync(body),
    });
    expect(retry.status).toBe(200);
    expect(await recordsOf(spanId)).toHaveLength(1);

    const db = server.deps.database.db;
    await db.execute(sql`update otel_log_records set received_at = now() - interval '25 hours'
      where org_id = ${user.orgId}::uuid and span_id = ${`otel-${spanId}`}`);
    expect(await pruneLogRecords(server.deps)).toBeGreaterThanOrEqual(1);
    expect(await recordsOf(spanId)).toHaveLength(0);
  });
});

describe.skipIf(!TEST_DATABASE_URL)("log records and their span at two instances (needs a shared PostgreSQL)", () => {
  let first: RunningServer;
  let second: RunningServer;
  let user: TestUser;
  let key: string;
  let model: Awaited<ReturnType<typeof startOpenAiServer>>;

  beforeAll(async () => {
    first = await startTestServer();
    second = await startTestServer();
    user = await createUser(first.deps, "otel-two");
    key = (await callerFor(first.deps, user).apiKeys.create({ orgId: user.orgId, name: "otel", scope: "ingest" })).key;
    model = await startOpenAiServer();
  });
  afterAll(async () => {
    await model?.close();
    await first?.shutdown();
    await second?.shutdown();
  });

  it("joins records sent to one instance with the span sent to the other", async () => {
    // The exporters' two endpoints at different instances: logs to the first, spans to the second.
    const split = createServer((req, res) => {
      const target = req.url === "/v1/logs" ? first.url : second.url;
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        void fetch(`${target}${req.url}`, {
          method: "POST",
          headers: Object.fromEntries(
            ["content-type", "content-encoding", "x-api-key"].flatMap((h) =>
              typeof req.headers[h] === "string" ? [[h, req.headers[h]]] : [],
            ),
          ),
          body: Buffer.concat(chunks),
        }).then(async (r) => {
          res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "" });
          res.end(Buffer.from(await r.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => split.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(split.address() as AddressInfo).port}`;
      const [span] = await runOpenAiAgent({
        echosUrl: url,
        key,
        modelUrl: model.url,
        encoding: "json",
        scenario: "chat",
        order: "logs-first",
      });
      const [stored] = await second.deps.database.db
        .select()
        .from(spans)
        .where(and(eq(spans.orgId, user.orgId), eq(spans.id, `otel-${span!.spanId}`)));
      expect(stored).toMatchObject({
        input: [
          { role: "system", content: "You are terse." },
          { role: "user", content: "What is the capital of France?" },
        ],
        output: [{ role: "assistant", content: "Answer to: What is the capital of France?" }],
      });
    } finally {
      await new Promise<void>((resolve) => split.close(() => resolve()));
    }
  });
});

/** The mapper alone, on the forms of the GenAI conventions that no library installed here sends. */
describe("the GenAI conventions in their other forms", () => {
  const span = (attributes: Record<string, unknown>, extra: Partial<OtlpSpan> = {}): OtlpSpan => ({
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    parentSpanId: null,
    name: "chat",
    kind: 3,
    startTimeUnixNano: 1_700_000_000_000_000_000n,
    endTimeUnixNano: 1_700_000_001_000_000_000n,
    attributes,
    events: [],
    status: { code: 0, message: "" },
    resource: { "service.name": "unknown_service" },
    scope: {},
    ...extra,
  });
  const mapped = (s: OtlpSpan) => mapSpans([s]).items as [IngestRun, IngestSpan];

  it("reads old and new token names, the provider and the finish reasons kept as attributes", () => {
    const [, current] = mapped(
      span({
        "gen_ai.provider.name": "anthropic",
        "gen_ai.request.model": "claude-sonnet-4",
        "gen_ai.usage.input_tokens": 11,
        "gen_ai.usage.output_tokens": 7,
        "gen_ai.response.finish_reasons": ["end_turn"],
      }),
    );
    expect(current).toMatchObject({ kind: "llm", model: "claude-sonnet-4", inputTokens: 11, outputTokens: 7 });
    expect(current.attributes).toMatchObject({
      "gen_ai.provider.name": "anthropic",
      "gen_ai.response.finish_reasons": ["end_turn"],
    });
    const [, old] = mapped(
      span({ "gen_ai.system": "openai", "gen_ai.usage.prompt_tokens": 3, "gen_ai.usage.completion_tokens": 4 }),
    );
    expect(old).toMatchObject({ kind: "llm", inputTokens: 3, outputTokens: 4 });
  });

  it("marks a call that names an error.type as failed, and keeps a status message when there is one", () => {
    const [, typed] = mapped(span({ "gen_ai.operation.name": "chat", "error.type": "timeout" }));
    expect(typed).toMatchObject({ status: "error", error: "timeout" });
    const [, status] = mapped(
      span({ "gen_ai.operation.name": "chat", "error.type": "500" }, { status: { code: 2, message: "Overloaded" } }),
    );
    expect(status).toMatchObject({ status: "error", error: "Overloaded" });
    expect(status.attributes).toMatchObject({ "error.type": "500" });
  });

  it("reads a tool execution: kind, name, call id kept, arguments and result", () => {
    const [, tool] = mapped(
      span(
        {
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.name": "get_weather",
          "gen_ai.tool.call.id": "call_7",
          "gen_ai.tool.call.arguments": '{"city":"Paris"}',
          "gen_ai.tool.call.result": '{"sky":"sunny"}',
        },
        { name: "execute_tool get_weather" },
      ),
    );
    expect(tool).toMatchObject({
      kind: "tool",
      name: "execute_tool get_weather",
      input: { city: "Paris" },
      output: { sky: "sunny" },
    });
    expect(tool.attributes).toMatchObject({ "gen_ai.tool.call.id": "call_7", "gen_ai.tool.name": "get_weather" });
  });

  it("fills a span from an operation-details log record, and names a run of a default service after its root", () => {
    const [record] = decodeJsonLogsRequest({
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                {
                  eventName: "gen_ai.client.inference.operation.details",
                  traceId: "0af7651916cd43dd8448eb211c80319c",
                  spanId: "b7ad6b7169203331",
                  attributes: [
                    {
                      key: "gen_ai.input.messages",
                      value: {
                        stringValue: JSON.stringify([{ role: "user", parts: [{ type: "text", content: "Hi" }] }]),
                      },
                    },
                    {
                      key: "gen_ai.output.messages",
                      value: {
                        stringValue: JSON.stringify([
                          { role: "assistant", parts: [{ type: "text", content: "Hello" }], finish_reason: "stop" },
                        ]),
                      },
                    },
                    { key: "gen_ai.system_instructions", value: { stringValue: "Be brief." } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const event = eventOfRecord(record!)!;
    const [run, item] = mapped(withLogEvents(span({ "gen_ai.operation.name": "chat" }), [event]));
    expect(item).toMatchObject({
      input: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
      ],
      output: [{ role: "assistant", content: "Hello", finish_reason: "stop" }],
    });
    expect(run.name).toBe("chat");
    const [named] = mapped(span({}, { resource: { "service.name": "billing-agent" } }));
    expect(named.name).toBe("billing-agent");
  });
});
