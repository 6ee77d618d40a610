import { SpanKind } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZIngestResponse } from "@shared/schemas/ingest.ts";
import { auditLog, spans } from "../../db/schema.ts";
import type { RunningServer } from "../../server/server.ts";
import { and, eq, like } from "drizzle-orm";
import { capturingLogger } from "../helpers/capturing-logger.ts";
import { TEST_DATABASE_URL } from "../helpers/env.ts";
import { type TestUser, callerFor, codeOf, createOrgWithRoles, createUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { ZTrpcError } from "../helpers/trpc-wire.ts";

const uid = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;
const T0 = "2026-03-01T10:00:00.000Z";
const T1 = "2026-03-01T10:00:02.000Z";

const llmSpan = (runId: string, fields: Record<string, unknown>) => ({
  type: "span",
  id: uid("span"),
  runId,
  name: "call model",
  kind: "llm",
  status: "success",
  startedAt: T0,
  endedAt: T1,
  ...fields,
});

async function ingestOver(url: string, key: string, items: unknown[]) {
  const res = await fetch(`${url}/api/v1/ingest`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key },
    body: JSON.stringify({ items }),
  });
  expect(res.status).toBe(207);
  const body = ZIngestResponse.parse(await res.json());
  expect(body.rejected).toBe(0);
  return body;
}

async function ingestKey(server: RunningServer, user: TestUser) {
  const created = await callerFor(server.deps, user).apiKeys.create({
    orgId: user.orgId,
    name: "sdk",
    scope: "ingest",
  });
  return created.key;
}

describe("pricing at ingest", () => {
  let server: RunningServer;
  let user: TestUser;
  let key: string;
  const ingest = (items: unknown[]) => ingestOver(server.url, key, items);
  const run = async (runId: string) => callerFor(server.deps, user).runs.get({ orgId: user.orgId, runId });
  const spanCost = async (runId: string, spanId: string) =>
    (await run(runId)).spans.find((s) => s.id === spanId)?.costUsd;

  beforeAll(async () => {
    server = await startTestServer();
    user = await createUser(server.deps, "pricing");
    key = await ingestKey(server, user);
  });
  afterAll(() => server.shutdown());

  it("prices a REST span that reports a model and tokens but no cost, and adds it to its run", async () => {
    const runId = uid("run");
    // gpt-4o-mini: $0.15 in and $0.60 out per million tokens.
    const span = llmSpan(runId, { model: "gpt-4o-mini-2024-07-18", inputTokens: 1_000, outputTokens: 500 });
    await ingest([{ type: "run", id: runId, name: "priced", startedAt: T0 }, span]);
    expect(await spanCost(runId, span.id)).toBeCloseTo(0.00045, 12);
    const { run: detail } = await run(runId);
    expect(detail.costUsd).toBeCloseTo(0.00045, 12);
    expect(detail.unpricedCount).toBe(0);
  });

  it("prices a span whose model came with its start and whose tokens came with its end, in one batch", async () => {
    const runId = uid("run");
    const start = llmSpan(runId, { status: "running", endedAt: null, model: "claude-3-5-sonnet-20241022" });
    const end = { ...start, status: "success", endedAt: T1, model: undefined, inputTokens: 2_000, outputTokens: 500 };
    await ingest([start, end]);
    expect(await spanCost(runId, start.id)).toBeCloseTo(0.0135, 12);
  });

  it("prices a span whose model and tokens came in different requests, in either order", async () => {
    const runId = uid("run");
    // gpt-4o: $2.50 in, $10 out per million tokens.
    const startFirst = llmSpan(runId, { status: "running", endedAt: null, model: "gpt-4o" });
    const endFirst = llmSpan(runId, { status: "running", endedAt: null, model: "gpt-4o" });
    const tokens = { status: "success", endedAt: T1, model: undefined, inputTokens: 1_000, outputTokens: 100 };
    await ingest([startFirst]);
    await ingest([
      { ...startFirst, ...tokens },
      { ...endFirst, ...tokens },
    ]);
    await ingest([endFirst]);
    expect(await spanCost(runId, startFirst.id)).toBeCloseTo(0.0035, 12);
    expect(await spanCost(runId, endFirst.id)).toBeCloseTo(0.0035, 12);
    expect((await run(runId)).run).toMatchObject({ unpricedCount: 0 });
    expect((await run(runId)).run.costUsd).toBeCloseTo(0.007, 12);
  });

  it("leaves a cost the sender gave as it is, zero included", async () => {
    const runId = uid("run");
    const given = llmSpan(runId, { model: "gpt-4o", inputTokens: 1_000, outputTokens: 1_000, costUsd: 0.5 });
    const free = llmSpan(runId, { model: "gpt-4o", inputTokens: 1_000, outputTokens: 1_000, costUsd: 0 });
    await ingest([given, free]);
    expect(await spanCost(runId, given.id)).toBe(0.5);
    expect(await spanCost(runId, free.id)).toBe(0);
    expect((await run(runId)).run).toMatchObject({ costUsd: 0.5, unpricedCount: 0 });
  });

  it("keeps an unknown model's cost unknown, counts the call as unpriced, and uncounts it once a cost arrives", async () => {
    const runId = uid("run");
    // Started now, so the run is in the overview's range.
    const recent = { startedAt: new Date().toISOString(), endedAt: null };
    const unknown = llmSpan(runId, { ...recent, model: "acme-large-1", inputTokens: 100, outputTokens: 10 });
    const known = llmSpan(runId, { ...recent, model: "gpt-4o", inputTokens: 1_000_000, outputTokens: 0 });
    // No tokens: not a model call anyone could price, so not counted.
    const tokenless = llmSpan(runId, { ...recent, model: "acme-large-1" });
    await ingest([unknown, known, tokenless]);
    expect(await spanCost(runId, unknown.id)).toBeNull();
    expect((await run(runId)).run).toMatchObject({ costUsd: 2.5, unpricedCount: 1 });
    const overview = await callerFor(server.deps, user).runs.overview({ orgId: user.orgId, range: "30d" });
    expect(overview.totals.unpricedCount).toBeGreaterThanOrEqual(1);

    await ingest([{ ...unknown, costUsd: 0.25 }]);
    expect(await spanCost(runId, unknown.id)).toBe(0.25);
    expect((await run(runId)).run).toMatchObject({ costUsd: 2.75, unpricedCount: 0 });
  });

  it("uses the organisation's own price over the built-in one, for that organisation only", async () => {
    const other = await createUser(server.deps, "pricing-other");
    const otherKey = await ingestKey(server, other);
    await callerFor(server.deps, user).modelPrices.save({
      orgId: user.orgId,
      pattern: "gpt-4.1-mini",
      inputUsdPerMillion: 1,
      outputUsdPerMillion: 2,
    });
    const ours = uid("run");
    const theirs = uid("run");
    const span = (runId: string) => llmSpan(runId, { model: "gpt-4.1-mini", inputTokens: 1_000, outputTokens: 1_000 });
    const oursSpan = span(ours);
    await ingest([oursSpan]);
    await ingestOver(server.url, otherKey, [span(theirs)]);
    expect(await spanCost(ours, oursSpan.id)).toBeCloseTo(0.003, 12);
    // The built-in gpt-4.1-mini: $0.40 in, $1.60 out.
    const theirRun = await callerFor(server.deps, other).runs.get({ orgId: other.orgId, runId: theirs });
    expect(theirRun.run.costUsd).toBeCloseTo(0.002, 12);
  });

  it("prices an OpenTelemetry model call the same way, at the organisation's price", async () => {
    await callerFor(server.deps, user).modelPrices.save({
      orgId: user.orgId,
      pattern: "otel-model-*",
      inputUsdPerMillion: 10,
      outputUsdPerMillion: 20,
    });
    const exporter = new OTLPTraceExporter({ url: `${server.url}/v1/traces`, headers: { "x-api-key": key } });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "pricing-otel" }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const call = provider.getTracer("pricing-test").startSpan("chat otel-model-large", {
      kind: SpanKind.CLIENT,
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "otel-model-large",
        "gen_ai.usage.input_tokens": 1_000,
        "gen_ai.usage.output_tokens": 500,
      },
    });
    const spanId = call.spanContext().spanId;
    call.end();
    await provider.forceFlush();
    await provider.shutdown();
    const [stored] = await server.deps.database.db
      .select({ model: spans.model, costUsd: spans.costUsd })
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), like(spans.id, `%${spanId}`)));
    expect(stored).toEqual({ model: "otel-model-large", costUsd: 0.02 });
  });

  it("applies a new price to past spans of the models it covers, moving their runs' totals", async () => {
    const runId = uid("run");
    const past = llmSpan(runId, { model: "Zeta-Large", inputTokens: 1_000_000, outputTokens: 1_000_000 });
    const other = llmSpan(runId, { model: "omega-small", inputTokens: 10, outputTokens: 10 });
    await ingest([past, other]);
    expect((await run(runId)).run).toMatchObject({ costUsd: 0, unpricedCount: 2 });

    const caller = callerFor(server.deps, user);
    const broad = await caller.modelPrices.save({
      orgId: user.orgId,
      pattern: "zeta-*",
      inputUsdPerMillion: 1,
      outputUsdPerMillion: 1,
    });
    // A more specific price for the same model wins, as it would at ingest.
    await caller.modelPrices.save({
      orgId: user.orgId,
      pattern: "zeta-large",
      inputUsdPerMillion: 3,
      outputUsdPerMillion: 4,
    });
    expect(await caller.modelPrices.applyToPast({ orgId: user.orgId, id: broad.id })).toEqual({ spans: 1, runs: 1 });
    expect(await spanCost(runId, past.id)).toBe(7);
    expect(await spanCost(runId, other.id)).toBeNull();
    expect((await run(runId)).run).toMatchObject({ costUsd: 7, unpricedCount: 1 });
    // Nothing left for it to price.
    expect(await caller.modelPrices.applyToPast({ orgId: user.orgId, id: broad.id })).toEqual({ spans: 0, runs: 0 });
  });
});

describe("model prices settings", () => {
  let server: RunningServer;
  let org: Awaited<ReturnType<typeof createOrgWithRoles>>;

  beforeAll(async () => {
    server = await startTestServer();
    org = await createOrgWithRoles(server.deps);
  });
  afterAll(() => server.shutdown());

  const input = (pattern: string, inputUsdPerMillion = 1, outputUsdPerMillion = 2) => ({
    orgId: org.orgId,
    pattern,
    inputUsdPerMillion,
    outputUsdPerMillion,
  });

  it("lets admins and owners add, change and delete prices, members and viewers only read them, with an audit trail", async () => {
    const admin = callerFor(server.deps, org.admin);
    const saved = await admin.modelPrices.save(input("  Acme-*  "));
    expect(saved).toMatchObject({ pattern: "acme-*", inputUsdPerMillion: 1, outputUsdPerMillion: 2 });
    for (const reader of [org.member, org.viewer])
      expect(
        (await callerFor(server.deps, reader).modelPrices.list({ orgId: org.orgId })).map((p) => p.pattern),
      ).toContain("acme-*");
    const member = callerFor(server.deps, org.member);
    for (const attempt of [
      () => member.modelPrices.save(input("other")),
      () => member.modelPrices.save({ ...input("acme-*", 9, 9), id: saved.id }),
      () => member.modelPrices.delete({ orgId: org.orgId, id: saved.id }),
      () => member.modelPrices.applyToPast({ orgId: org.orgId, id: saved.id }),
    ])
      expect(await codeOf(attempt())).toMatch(/^FORBIDDEN/);
    const outsider = await createUser(server.deps, "outsider");
    expect(await codeOf(callerFor(server.deps, outsider).modelPrices.list({ orgId: org.orgId }))).toMatch(/^FORBIDDEN/);

    const owner = callerFor(server.deps, org.owner);
    const changed = await owner.modelPrices.save({ ...input("acme-*", 5, 6), id: saved.id });
    expect(changed).toMatchObject({ id: saved.id, inputUsdPerMillion: 5, outputUsdPerMillion: 6 });
    await owner.modelPrices.delete({ orgId: org.orgId, id: saved.id });
    expect(await owner.modelPrices.list({ orgId: org.orgId })).toEqual([]);
    expect(await codeOf(owner.modelPrices.delete({ orgId: org.orgId, id: saved.id }))).toBe(
      "NOT_FOUND: No such model price in this organisation",
    );
    const audit = await server.deps.database.db
      .select({ action: auditLog.action, target: auditLog.target, actor: auditLog.actorEmail })
      .from(auditLog)
      .where(and(eq(auditLog.orgId, org.orgId), eq(auditLog.target, "acme-*")));
    expect(audit.map((a) => a.action).sort()).toEqual([
      "model_price.deleted",
      "model_price.saved",
      "model_price.saved",
    ]);
  });

  it("refuses a second price for the same pattern with a readable reason", async () => {
    const admin = callerFor(server.deps, org.admin);
    const first = await admin.modelPrices.save(input("dup-model"));
    expect(await codeOf(admin.modelPrices.save(input("DUP-model")))).toBe(
      "CONFLICT: There is already a price for dup-model: change that one instead",
    );
    const second = await admin.modelPrices.save(input("dup-model-2"));
    expect(await codeOf(admin.modelPrices.save({ ...input("dup-model"), id: second.id }))).toMatch(/^CONFLICT/);
    expect(await codeOf(admin.modelPrices.save({ ...input("x"), id: "00000000-0000-4000-8000-000000000000" }))).toBe(
      "NOT_FOUND: No such model price in this organisation",
    );
    await admin.modelPrices.delete({ orgId: org.orgId, id: first.id });
  });

  it.each([
    ["a negative price", { inputUsdPerMillion: -1 }, /cannot be negative/],
    ["NaN", { inputUsdPerMillion: Number.NaN }, /price must be a number \(USD per million tokens\)/],
    [
      "Infinity",
      { outputUsdPerMillion: Number.POSITIVE_INFINITY },
      /price must be a number \(USD per million tokens\)/,
    ],
    ["1e308", { inputUsdPerMillion: 1e308 }, /at most 100000/],
    ["an empty pattern", { pattern: "   " }, /Enter a model name/],
    ["a huge pattern", { pattern: "m".repeat(201) }, /at most 200 characters/],
    ["a pattern with a line break", { pattern: "gpt\n4o" }, /no control characters/],
  ])("refuses %s with BAD_REQUEST and the reason", async (_label, patch, reason) => {
    const result = await codeOf(callerFor(server.deps, org.admin).modelPrices.save({ ...input("m"), ...patch }));
    expect(result).toMatch(/^BAD_REQUEST: /);
    expect(result).toMatch(reason);
  });

  it("answers a price sent over HTTP as JSON that no number can hold with 400, not 500", async () => {
    const res = await fetch(`${server.url}/trpc/modelPrices.save`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        cookie: `echos_session=${org.admin.token}`,
        "sec-fetch-site": "same-origin",
      },
      // JSON has no NaN: a client sending one sends null; 1e999 parses as Infinity.
      body: `{"orgId":"${org.orgId}","pattern":"m","inputUsdPerMillion":null,"outputUsdPerMillion":1e999}`,
    });
    expect(res.status).toBe(400);
    const body = ZTrpcError.parse(await res.json());
    expect(body.error.message).toMatch(/Input price must be a number/);
    expect(body.error.message).toMatch(/Output price must be a number/);
  });
});

// Two instances share prices only through PostgreSQL; the embedded database belongs to one server by design.
describe.skipIf(!TEST_DATABASE_URL)("prices across instances", () => {
  let a: RunningServer;
  let b: RunningServer;
  beforeAll(async () => {
    [a, b] = await Promise.all([startTestServer(), startTestServer()]);
  });
  afterAll(async () => {
    await Promise.all([a.shutdown(), b.shutdown()]);
  });

  it("prices a batch on one instance with a price saved, then changed, on another", async () => {
    const user = await createUser(a.deps, "instances");
    const key = await ingestKey(a, user);
    const onA = callerFor(a.deps, user);
    const cost = async (runId: string) => (await onA.runs.get({ orgId: user.orgId, runId })).run.costUsd;
    const span = (runId: string) => llmSpan(runId, { model: "in-house-7b", inputTokens: 1_000_000, outputTokens: 0 });

    const before = uid("run");
    await ingestOver(b.url, key, [span(before)]);
    expect((await onA.runs.get({ orgId: user.orgId, runId: before })).run).toMatchObject({
      costUsd: 0,
      unpricedCount: 1,
    });

    const price = await onA.modelPrices.save({
      orgId: user.orgId,
      pattern: "in-house-*",
      inputUsdPerMillion: 2,
      outputUsdPerMillion: 2,
    });
    const first = uid("run");
    await ingestOver(b.url, key, [span(first)]);
    expect(await cost(first)).toBe(2);

    await onA.modelPrices.save({
      orgId: user.orgId,
      id: price.id,
      pattern: "in-house-*",
      inputUsdPerMillion: 3,
      outputUsdPerMillion: 3,
    });
    const second = uid("run");
    await ingestOver(b.url, key, [span(second)]);
    expect(await cost(second)).toBe(3);
  });
});

describe("requests to unknown routes", () => {
  const { lines, log } = capturingLogger();
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ log });
  });
  afterAll(() => server.shutdown());

  it("are logged at warn with their method and path, never their query string", async () => {
    const res = await fetch(`${server.url}/v1/nowhere/traces?token=s3cr3t-value`, { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
    await res.arrayBuffer();
    await expect.poll(() => lines.filter((l) => l.message === "No route for request")).toHaveLength(1);
    const line = lines.find((l) => l.message === "No route for request")!;
    expect(line).toMatchObject({ level: "warn", method: "POST", path: "/v1/nowhere/traces" });
    expect(JSON.stringify(lines)).not.toContain("s3cr3t-value");

    // A route that exists is not reported, whatever it answers.
    const known = await fetch(`${server.url}/api/v1/ingest`, { method: "POST", body: "{}" });
    expect(known.status).toBe(401);
    await known.arrayBuffer();
    await (await fetch(`${server.url}/api/public/nothing`)).arrayBuffer();
    await expect.poll(() => lines.filter((l) => l.message === "No route for request")).toHaveLength(2);
    expect(lines.filter((l) => l.message === "No route for request").map((l) => l.path)).toEqual([
      "/v1/nowhere/traces",
      "/api/public/nothing",
    ]);
  });
});
