import { gzipSync } from "node:zlib";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter as OTLPJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OTLPProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs, spans } from "../../db/schema.ts";
import { decodeJsonRequest, otlpProtobufTypes } from "../../server/modules/otlp/decode.ts";
import { mapSpans } from "../../server/modules/ingest/formats/otel/index.ts";
import { priceOf } from "../../server/modules/pricing/prices.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { ZErrorBody } from "@shared/schemas/errors.ts";
import { ZOtlpExportResponse } from "@shared/schemas/ingest.ts";

const uid = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;
const hex = (bytes: number) =>
  Array.from({ length: bytes }, () =>
    Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, "0"),
  ).join("");

type Exporter = "json" | "proto";

/** The SDK as an application would set it up: a provider with a resource, a processor, a real OTLP exporter. */
function tracing(server: RunningServer, apiKey: string, encoding: Exporter, serviceName: string) {
  const options = { url: `${server.url}/v1/traces`, headers: { "x-api-key": apiKey } };
  const exporter = encoding === "json" ? new OTLPJsonExporter(options) : new OTLPProtoExporter(options);
  const captured = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    // JSON through a batch processor (one request for the trace), protobuf span by span (the child arrives first).
    spanProcessors: [
      encoding === "json" ? new BatchSpanProcessor(exporter) : new SimpleSpanProcessor(exporter),
      new SimpleSpanProcessor(captured),
    ],
  });
  return { provider, exporter, captured, tracer: provider.getTracer("echos-otlp-test", "1.0.0") };
}

/** An agent span with a child chat call, annotated per the GenAI semantic conventions. */
function emitAgentTrace(tracer: ReturnType<typeof tracing>["tracer"]) {
  const parent = tracer.startSpan("agent run", { kind: SpanKind.INTERNAL });
  const child = tracer.startSpan(
    "chat gpt-4o-mini",
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "gen_ai.system": "openai",
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.request.temperature": 0.2,
        "gen_ai.request.max_tokens": 256,
        "gen_ai.usage.input_tokens": 120,
        "gen_ai.usage.output_tokens": 30,
        "server.address": "api.openai.com",
      },
    },
    trace.setSpan(context.active(), parent),
  );
  child.addEvent("gen_ai.system.message", { content: "You are terse." });
  child.addEvent("gen_ai.user.message", { content: "Hello" });
  child.addEvent("gen_ai.choice", {
    index: 0,
    finish_reason: "stop",
    message: JSON.stringify({ role: "assistant", content: "Hi! How can I help?" }),
  });
  child.end();
  parent.end();
  return { parent, child };
}

const exportOnce = (exporter: SpanExporter, batch: ReadableSpan[]) =>
  new Promise<{ code: number; error?: Error & { code?: number } }>((resolve) => exporter.export(batch, resolve));

describe("POST /v1/traces (OTLP/HTTP)", () => {
  let server: RunningServer;
  let user: TestUser;
  let key: string;

  const rowsOf = async (traceId: string) => {
    const db = server.deps.database.db;
    const [run] = await db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.id, `otel-${traceId}`)));
    const stored = await db
      .select()
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.runId, `otel-${traceId}`)));
    return { run, spans: stored };
  };

  const post = (body: string | Uint8Array, contentType: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/v1/traces`, {
      method: "POST",
      headers: { "content-type": contentType, "x-api-key": key, ...headers },
      body: typeof body === "string" ? body : Buffer.from(body),
    });

  beforeAll(async () => {
    server = await startTestServer();
    user = await createUser(server.deps, "otlp");
    key = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "otel", scope: "ingest" })).key;
  });
  afterAll(() => server.shutdown());

  for (const encoding of ["json", "proto"] as const) {
    it(`stores a trace sent by the real ${encoding} exporter as a run with an LLM span`, async () => {
      const service = uid(`support-bot-${encoding}`);
      const { provider, tracer } = tracing(server, key, encoding, service);
      const { parent, child } = emitAgentTrace(tracer);
      await provider.forceFlush();
      await provider.shutdown();

      const traceId = parent.spanContext().traceId;
      const { run, spans: stored } = await rowsOf(traceId);
      expect(run).toMatchObject({ name: service, status: "success" });
      expect(run?.endedAt).toBeInstanceOf(Date);
      expect(run?.metadata).toMatchObject({ source: "opentelemetry", traceId, rootSpan: "agent run" });
      expect(stored).toHaveLength(2);

      const root = stored.find((s) => s.id === `otel-${parent.spanContext().spanId}`);
      const llm = stored.find((s) => s.id === `otel-${child.spanContext().spanId}`);
      expect(root).toMatchObject({ name: "agent run", kind: "custom", status: "success", parentId: null });
      expect(llm).toMatchObject({
        name: "chat gpt-4o-mini",
        kind: "llm",
        status: "success",
        parentId: root!.id,
        model: "gpt-4o-mini",
        inputTokens: 120,
        outputTokens: 30,
        config: { temperature: 0.2, max_tokens: 256 },
        input: [
          { role: "system", content: "You are terse." },
          { role: "user", content: "Hello" },
        ],
        output: [{ role: "assistant", content: "Hi! How can I help?", index: 0, finish_reason: "stop" }],
      });
      expect(llm!.costUsd).toBeGreaterThan(0);
      expect(llm!.costUsd).toBeCloseTo(priceOf("gpt-4o-mini", 120, 30)!, 10);
      expect(llm!.attributes).toMatchObject({
        "gen_ai.system": "openai",
        "gen_ai.operation.name": "chat",
        "server.address": "api.openai.com",
        "otel.span_kind": "client",
        "otel.scope.name": "echos-otlp-test",
      });
      // Mapped attributes are not repeated in `attributes`.
      expect(llm!.attributes).not.toHaveProperty("gen_ai.request.temperature");
      expect(llm!.startedAt.getTime()).toBeLessThanOrEqual(llm!.endedAt!.getTime());
    });
  }

  it("is idempotent: the same export sent again changes nothing", async () => {
    for (const encoding of ["json", "proto"] as const) {
      const { provider, tracer, exporter, captured } = tracing(server, key, encoding, uid("idem"));
      const { parent } = emitAgentTrace(tracer);
      await provider.forceFlush();
      const traceId = parent.spanContext().traceId;
      const before = await rowsOf(traceId);
      expect(before.spans).toHaveLength(2);

      const again = await exportOnce(exporter, captured.getFinishedSpans());
      expect(again.code).toBe(0);
      const after = await rowsOf(traceId);
      expect(after.spans).toHaveLength(2);
      expect(after.run?.seq).toBe(before.run?.seq); // not even touched: the upsert found nothing to change
      expect(after.spans.map((s) => s.updatedAt.getTime()).sort()).toEqual(
        before.spans.map((s) => s.updatedAt.getTime()).sort(),
      );
      await provider.shutdown();
    }
  });

  it("fails the export on a wrong API key (401), and stores nothing", async () => {
    for (const encoding of ["json", "proto"] as const) {
      const { provider, tracer, captured } = tracing(server, key, encoding, uid("nope"));
      const { parent } = emitAgentTrace(tracer);
      await provider.forceFlush();
      await provider.shutdown();
      // The same spans again, through an exporter holding a bad key.
      const options = { url: `${server.url}/v1/traces`, headers: { "x-api-key": "echos_i_nope" } };
      const bad = encoding === "json" ? new OTLPJsonExporter(options) : new OTLPProtoExporter(options);
      const result = await exportOnce(bad, captured.getFinishedSpans());
      expect(result.code).toBe(1); // ExportResultCode.FAILED
      expect(result.error?.code).toBe(401);
      await bad.shutdown();
      expect(parent.spanContext().traceId).toHaveLength(32);
    }
    const missing = await fetch(`${server.url}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(missing.status).toBe(401);
    const bearer = await fetch(`${server.url}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: "{}",
    });
    expect(bearer.status).toBe(200);
    expect(await bearer.json()).toEqual({});
  });

  it("answers 400 with a message for malformed JSON and garbage protobuf, 413 above 5 MB, 415 for other types", async () => {
    const broken = await post("{not json", "application/json");
    expect(broken.status).toBe(400);
    expect(ZErrorBody.parse(await broken.json()).message).toMatch(/JSON/);

    const wrongShape = await post(JSON.stringify({ resourceSpans: { not: "an array" } }), "application/json");
    expect(wrongShape.status).toBe(400);
    expect(ZErrorBody.parse(await wrongShape.json()).message).toBe("resourceSpans must be an array");

    const notAnObject = await post(JSON.stringify([1, 2, 3]), "application/json");
    expect(notAnObject.status).toBe(400);

    const garbage = await post(Buffer.from("this is not protobuf at all"), "application/x-protobuf");
    expect(garbage.status).toBe(400);
    expect(ZErrorBody.parse(await garbage.json()).message).toMatch(/not a valid protobuf ExportTraceServiceRequest/);
    const truncated = await post(new Uint8Array([0x0a, 0x05, 0x01]), "application/x-protobuf");
    expect(truncated.status).toBe(400);

    const huge = await post(
      JSON.stringify({ resourceSpans: [], padding: "x".repeat(5 * 1024 * 1024 + 10) }),
      "application/json",
    );
    expect(huge.status).toBe(413);
    expect(ZErrorBody.parse(await huge.json()).message).toMatch(/at most 5242880 bytes/);
    const hugeProto = await post(new Uint8Array(5 * 1024 * 1024 + 10), "application/x-protobuf");
    expect(hugeProto.status).toBe(413);

    const text = await post("hello", "text/plain");
    expect(text.status).toBe(415);
  });

  it("accepts gzip-compressed bodies, and applies the 5 MB limit after decompression", async () => {
    const traceId = hex(16);
    const spanId = hex(8);
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "gzipped" } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId,
                  spanId,
                  name: "GET /health",
                  kind: 3,
                  startTimeUnixNano: 1_700_000_000_000_000_000,
                  endTimeUnixNano: "1700000000250000000",
                  attributes: [
                    { key: "http.request.method", value: { stringValue: "GET" } },
                    { key: "http.response.status_code", value: { intValue: "200" } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await post(gzipSync(JSON.stringify(body)), "application/json", { "content-encoding": "gzip" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const { run, spans: stored } = await rowsOf(traceId);
    expect(run).toMatchObject({
      name: "gzipped",
      status: "success",
      startedAt: new Date("2023-11-14T22:13:20.000Z"),
      endedAt: new Date("2023-11-14T22:13:20.250Z"),
    });
    expect(stored[0]).toMatchObject({
      kind: "http",
      attributes: { "http.request.method": "GET", "http.response.status_code": 200 },
    });

    const bomb = await post(gzipSync(" ".repeat(6 * 1024 * 1024)), "application/json", { "content-encoding": "gzip" });
    expect(bomb.status).toBe(413);
  });

  it("reports refused spans as partial success (200), in JSON and in protobuf, and keeps the good ones", async () => {
    const traceId = hex(16);
    const good = hex(8);
    const span = (spanId: string, extra: Record<string, unknown> = {}) => ({
      traceId,
      spanId,
      name: "step",
      startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
      endTimeUnixNano: String(BigInt(Date.now() + 5) * 1_000_000n),
      ...extra,
    });
    const request = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                span(good, { status: { code: 2, message: "tool timed out" } }),
                span("not-hex"),
                span(hex(8), { startTimeUnixNano: "soon" }),
              ],
            },
          ],
        },
      ],
    };
    const res = await post(JSON.stringify(request), "application/json");
    expect(res.status).toBe(200);
    const answer = ZOtlpExportResponse.parse(await res.json());
    expect(answer.partialSuccess?.rejectedSpans).toBe(2);
    expect(answer.partialSuccess?.errorMessage).toMatch(/spanId is missing or invalid/);
    expect(answer.partialSuccess?.errorMessage).toMatch(/startTimeUnixNano is missing or out of range/);
    const { run, spans: stored } = await rowsOf(traceId);
    // The root is in the batch but nameless resource: the run takes the root span's name.
    expect(run).toMatchObject({ name: "step", status: "error", error: "tool timed out" });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: `otel-${good}`, status: "error", error: "tool timed out", kind: "custom" });

    // Protobuf: the same request, encoded; the answer is an ExportTraceServiceResponse.
    const { request: Request, response: Response } = otlpProtobufTypes;
    const protoRequest = Request.fromObject({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: Buffer.from(traceId, "hex"), spanId: Buffer.alloc(8), name: "zero id" },
                { traceId: Buffer.from(traceId, "hex"), spanId: Buffer.from(hex(8), "hex"), name: "no start" },
              ],
            },
          ],
        },
      ],
    });
    const protoRes = await post(Request.encode(protoRequest).finish(), "application/x-protobuf");
    expect(protoRes.status).toBe(200);
    expect(protoRes.headers.get("content-type")).toMatch(/^application\/x-protobuf/);
    const decoded = Response.toObject(Response.decode(new Uint8Array(await protoRes.arrayBuffer())), {
      longs: Number,
    });
    expect(decoded).toMatchObject({ partialSuccess: { rejectedSpans: 2 } });

    // And an empty protobuf request is a valid one: an empty answer.
    const empty = await post(new Uint8Array(0), "application/x-protobuf");
    expect(empty.status).toBe(200);
    expect((await empty.arrayBuffer()).byteLength).toBe(0);
  });

  it("links spans that arrive before their root, and names the run when the root comes", async () => {
    const traceId = hex(16);
    const rootId = hex(8);
    const childId = hex(8);
    const start = BigInt(Date.now()) * 1_000_000n;
    const send = (spanList: unknown[]) =>
      post(
        JSON.stringify({
          resourceSpans: [
            {
              resource: { attributes: [{ key: "service.name", value: { stringValue: "late-root" } }] },
              scopeSpans: [{ spans: spanList }],
            },
          ],
        }),
        "application/json",
      );
    const childSpan = {
      traceId,
      spanId: childId,
      parentSpanId: rootId,
      name: "search",
      startTimeUnixNano: String(start + 1_000n),
      endTimeUnixNano: String(start + 2_000_000n),
      attributes: [
        { key: "gen_ai.tool.name", value: { stringValue: "web_search" } },
        { key: "gen_ai.operation.name", value: { stringValue: "execute_tool" } },
        { key: "gen_ai.tool.call.arguments", value: { stringValue: '{"q":"otel"}' } },
      ],
    };
    expect((await send([childSpan])).status).toBe(200);
    let rows = await rowsOf(traceId);
    expect(rows.run).toMatchObject({ status: "running" }); // the ingest service's placeholder
    expect(rows.spans[0]).toMatchObject({ kind: "tool", parentId: `otel-${rootId}`, input: { q: "otel" } });

    const rootSpan = {
      traceId,
      spanId: rootId,
      name: "invoke_agent researcher",
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + 3_000_000n),
      attributes: [{ key: "gen_ai.operation.name", value: { stringValue: "invoke_agent" } }],
    };
    expect((await send([rootSpan])).status).toBe(200);
    rows = await rowsOf(traceId);
    expect(rows.run).toMatchObject({ name: "late-root", status: "success" });
    expect(rows.spans).toHaveLength(2);
    expect(rows.spans.find((s) => s.id === `otel-${rootId}`)?.kind).toBe("agent");
  });
});

describe("OTLP mapping", () => {
  const base = { traceId: "5b8efff798038103d269b633813fc60c", spanId: "eee19b7ec3c1b174", name: "chat" };
  const mapOne = (attributes: { key: string; value: unknown }[], extra: Record<string, unknown> = {}) => {
    const decoded = decodeJsonRequest({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  ...base,
                  parentSpanId: "eee19b7ec3c1b173",
                  startTimeUnixNano: "1700000000000000000",
                  endTimeUnixNano: "1700000001000000000",
                  attributes,
                  ...extra,
                },
              ],
            },
          ],
        },
      ],
    });
    const { items } = mapSpans(decoded);
    expect(items).toHaveLength(1); // a child span alone: no run item, so a run is never renamed by a child
    return items[0] as Record<string, unknown>;
  };

  it("turns the structured messages' tool_call and tool_call_response parts into OpenAI-style tool calls", () => {
    const input = [
      { role: "user", parts: [{ type: "text", content: "Weather in Lisbon?" }] },
      {
        role: "assistant",
        parts: [{ type: "tool_call", id: "call_1", name: "weather", arguments: { city: "Lisbon" } }],
      },
      { role: "tool", parts: [{ type: "tool_call_response", id: "call_1", response: '{"sky":"clear"}' }] },
    ];
    const output = [
      {
        role: "assistant",
        parts: [
          { type: "text", content: "Checking. " },
          { type: "tool_call", id: "call_2", name: "forecast", arguments: '{"days":2}' },
        ],
        finish_reason: "tool_call",
      },
    ];
    const item = mapOne([
      { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
      { key: "gen_ai.input.messages", value: { stringValue: JSON.stringify(input) } },
      { key: "gen_ai.output.messages", value: { stringValue: JSON.stringify(output) } },
    ]);
    expect(item.input).toEqual([
      { role: "user", content: "Weather in Lisbon?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Lisbon"}' } }],
      },
      { role: "tool", tool_call_id: "call_1", content: { sky: "clear" } },
    ]);
    expect(item.output).toEqual([
      {
        role: "assistant",
        content: "Checking. ",
        tool_calls: [{ id: "call_2", type: "function", function: { name: "forecast", arguments: '{"days":2}' } }],
        finish_reason: "tool_call",
      },
    ]);
  });
  it("reads the current GenAI conventions: structured messages, provider, response model, old token names", () => {
    const item = mapOne([
      { key: "gen_ai.provider.name", value: { stringValue: "anthropic" } },
      { key: "gen_ai.request.model", value: { stringValue: "claude-3-5-sonnet" } },
      { key: "gen_ai.response.model", value: { stringValue: "claude-3-5-sonnet-20241022" } },
      { key: "gen_ai.usage.prompt_tokens", value: { intValue: 1000 } },
      { key: "gen_ai.usage.completion_tokens", value: { intValue: "200" } },
      { key: "gen_ai.request.top_p", value: { doubleValue: 0.9 } },
      { key: "gen_ai.request.stop_sequences", value: { arrayValue: { values: [{ stringValue: "END" }] } } },
      {
        key: "gen_ai.input.messages",
        value: { stringValue: JSON.stringify([{ role: "user", parts: [{ type: "text", content: "Weather?" }] }]) },
      },
      {
        key: "gen_ai.output.messages",
        value: {
          stringValue: JSON.stringify([
            { role: "assistant", parts: [{ type: "text", content: "Sunny." }], finish_reason: "stop" },
          ]),
        },
      },
      { key: "gen_ai.system_instructions", value: { stringValue: "Be brief." } },
      { key: "labels", value: { kvlistValue: { values: [{ key: "team", value: { stringValue: "ml" } }] } } },
      { key: "flag", value: { boolValue: false } },
    ]);
    expect(item).toMatchObject({
      type: "span",
      id: "otel-eee19b7ec3c1b174",
      runId: "otel-5b8efff798038103d269b633813fc60c",
      parentId: "otel-eee19b7ec3c1b173",
      kind: "llm",
      model: "claude-3-5-sonnet-20241022",
      inputTokens: 1000,
      outputTokens: 200,
      costUsd: null, // priced by ingest, not by the mapper
      config: { top_p: 0.9, stop_sequences: ["END"] },
      input: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather?" },
      ],
      output: [{ role: "assistant", content: "Sunny.", finish_reason: "stop" }],
      attributes: { "gen_ai.provider.name": "anthropic", labels: { team: "ml" }, flag: false },
    });
    expect(item.attributes).not.toHaveProperty("gen_ai.input.messages");
  });

  it("reads OpenLLMetry's indexed prompt attributes, and classifies http, db and plain spans", () => {
    const indexed = mapOne([
      { key: "gen_ai.system", value: { stringValue: "openai" } },
      { key: "gen_ai.prompt.0.role", value: { stringValue: "user" } },
      { key: "gen_ai.prompt.0.content", value: { stringValue: "Hi" } },
      { key: "gen_ai.completion.0.role", value: { stringValue: "assistant" } },
      { key: "gen_ai.completion.0.content", value: { stringValue: "Hello" } },
    ]);
    expect(indexed).toMatchObject({
      kind: "llm",
      input: [{ role: "user", content: "Hi" }],
      output: [{ role: "assistant", content: "Hello" }],
      costUsd: null,
    });
    expect(mapOne([{ key: "http.method", value: { stringValue: "POST" } }]).kind).toBe("http");
    expect(mapOne([{ key: "db.system", value: { stringValue: "postgresql" } }]).kind).toBe("tool");
    expect(mapOne([{ key: "app.step", value: { stringValue: "x" } }]).kind).toBe("custom");
    expect(
      mapOne([], {
        endTimeUnixNano: "0",
        events: [{ name: "exception", attributes: [{ key: "exception.message", value: { stringValue: "x" } }] }],
      }),
    ).toMatchObject({ status: "running", endedAt: null, attributes: { "otel.events": [{ name: "exception" }] } });
    expect(
      mapOne([], {
        status: { code: "STATUS_CODE_ERROR" },
        events: [
          {
            name: "exception",
            attributes: [
              { key: "exception.type", value: { stringValue: "TimeoutError" } },
              { key: "exception.message", value: { stringValue: "took too long" } },
            ],
          },
        ],
      }),
    ).toMatchObject({ status: "error", error: "TimeoutError: took too long" });
  });

  it("prices by the longest matching prefix, across provider spellings, and knows when it does not know", () => {
    expect(priceOf("gpt-4o", 1_000_000, 0)).toBe(2.5);
    expect(priceOf("gpt-4o-mini-2024-07-18", 1_000_000, 1_000_000)).toBe(0.75);
    expect(priceOf("gpt-4.1-mini", 0, 1_000_000)).toBe(1.6);
    expect(priceOf("openai/gpt-4.1", 1_000_000, 0)).toBe(2);
    expect(priceOf("anthropic/claude-3.5-haiku", 1_000_000, 0)).toBe(0.8);
    expect(priceOf("us.anthropic.claude-3-5-sonnet-20241022-v2:0", 0, 1_000_000)).toBe(15);
    expect(priceOf("meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo", 1_000_000, 0)).toBe(0.88);
    expect(priceOf("mistral-large-latest", 1_000_000, 0)).toBe(2);
    expect(priceOf("o3-mini", 1000, 1000)).toBeCloseTo(0.0055, 10);
    expect(priceOf("my-own-model", 100, 100)).toBeNull();
    expect(priceOf("gpt-4o", null, null)).toBeNull();
    expect(priceOf(null, 100, 100)).toBeNull();
  });

  it("marks a span with a status code of ERROR as failed, and a trace's root as the run", () => {
    const decoded = decodeJsonRequest({
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] },
          scopeSpans: [
            {
              spans: [
                {
                  ...base,
                  startTimeUnixNano: "1700000000000000000",
                  status: { code: SpanStatusCode.ERROR, message: "bad" },
                },
              ],
            },
          ],
        },
      ],
    });
    const { items, rejected } = mapSpans(decoded);
    expect(rejected).toEqual([]);
    expect(items.map((i) => i.type)).toEqual(["run", "span"]);
    expect(items[0]).toMatchObject({ type: "run", name: "svc", status: "error", error: "bad", endedAt: null });
  });
});
