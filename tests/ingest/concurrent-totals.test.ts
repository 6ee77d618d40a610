import { join } from "node:path";
import { context, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT_MS, builtDist } from "../helpers/dist.ts";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "../helpers/env.ts";
import { signUpOverHttp } from "../helpers/http-user.ts";
import { type SpawnedServer, spawnServer } from "../helpers/spawn-server.ts";

const hex = (bytes: number) =>
  Array.from({ length: bytes }, () =>
    Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, "0"),
  ).join("");

const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;

/** One OTLP/JSON export holding a single span of a trace, as `SimpleSpanProcessor` sends them. */
function oneSpanExport(traceId: string, spanId: string, parentSpanId: string | null, tokens: number, at: number) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "concurrent-totals" } }] },
        scopeSpans: [
          {
            scope: { name: "test" },
            spans: [
              {
                traceId,
                spanId,
                ...(parentSpanId ? { parentSpanId } : {}),
                name: parentSpanId ? "chat" : "agent",
                kind: 3,
                startTimeUnixNano: nanos(at),
                endTimeUnixNano: nanos(at + 5),
                attributes: parentSpanId
                  ? [
                      { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
                      { key: "gen_ai.request.model", value: { stringValue: "gpt-4o-mini" } },
                      { key: "gen_ai.usage.input_tokens", value: { intValue: String(tokens) } },
                      { key: "gen_ai.usage.output_tokens", value: { intValue: "1" } },
                    ]
                  : [],
                status: { code: 1 },
              },
            ],
          },
        ],
      },
    ],
  };
}

interface Totals {
  span_count: number;
  input_tokens: string;
  output_tokens: string;
  spans_stored: number;
  tokens_stored: string | null;
}

// Two processes share state only through PostgreSQL and Redis; the embedded defaults are single-instance by design.
describe.skipIf(!TEST_DATABASE_URL || !TEST_REDIS_URL)(
  "run totals when one trace arrives in many requests at once",
  () => {
    const servers: SpawnedServer[] = [];
    let sql: postgres.Sql;
    let key: string;
    let orgId: string;

    beforeAll(async () => {
      const distDir = await builtDist();
      const env = { NODE_ENV: "test", LOG_LEVEL: "error", DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL };
      const bundle = join(distDir, "index.js");
      servers.push(...(await Promise.all([spawnServer([bundle], env), spawnServer([bundle], env)])));
      ({ key, orgId } = await signUpOverHttp(servers[0]!.url, "totals"));
      sql = postgres(TEST_DATABASE_URL!, { max: 2, onnotice: () => {} });
    }, BUILD_TIMEOUT_MS);
    afterAll(async () => {
      await sql?.end();
      await Promise.all(servers.map((s) => s.stop()));
    });

    /** The run's kept totals beside a recount of its stored spans: the two must agree. */
    const totalsOf = async (runId: string) => {
      const [row] = await sql<Totals[]>`
      select r.span_count, r.input_tokens::text, r.output_tokens::text,
        (select count(*)::int from spans s where s.org_id = r.org_id and s.run_id = r.id) as spans_stored,
        (select sum(input_tokens)::text from spans s where s.org_id = r.org_id and s.run_id = r.id) as tokens_stored
      from runs r where r.org_id = ${orgId}::uuid and r.id = ${runId}`;
      return row;
    };

    it("keeps exact totals for 8 single-span OTLP exports of one trace sent at once, split across two instances", async () => {
      const statuses: number[] = [];
      for (let round = 0; round < 12; round++) {
        const traceId = hex(16);
        const rootId = hex(8);
        const at = Date.now();
        const exports = [
          oneSpanExport(traceId, rootId, null, 0, at),
          ...Array.from({ length: 7 }, (_, i) => oneSpanExport(traceId, hex(8), rootId, 10, at + i)),
        ];
        // Children first or root first, varying by round, so every interleaving of creation and update is tried.
        if (round % 2) exports.reverse();
        const answers = await Promise.all(
          exports.map((body, i) =>
            fetch(`${servers[i % 2]!.url}/v1/traces`, {
              method: "POST",
              headers: { "content-type": "application/json", "x-api-key": key },
              body: JSON.stringify(body),
            }),
          ),
        );
        statuses.push(...answers.map((a) => a.status));
        expect(await totalsOf(`otel-${traceId}`)).toEqual({
          span_count: 8,
          input_tokens: "70",
          output_tokens: "7",
          spans_stored: 8,
          tokens_stored: "70",
        });
      }
      expect(statuses.every((s) => s === 200)).toBe(true);
    });

    it("keeps exact totals when the real OpenTelemetry SDK exports span by span to both instances", async () => {
      const providers = servers.map(
        (s) =>
          new BasicTracerProvider({
            spanProcessors: [
              new SimpleSpanProcessor(
                new OTLPTraceExporter({ url: `${s.url}/v1/traces`, headers: { "x-api-key": key } }),
              ),
            ],
          }),
      );
      const tracers = providers.map((p) => p.getTracer("concurrent-totals"));
      const root = tracers[0]!.startSpan("agent");
      const parent = trace.setSpan(context.active(), root);
      const children = Array.from({ length: 15 }, (_, i) =>
        tracers[i % 2]!.startSpan(
          "chat",
          { attributes: { "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 3 } },
          parent,
        ),
      );
      // Each end is exported at once by its processor: 16 requests in flight together.
      for (const child of children) child.end();
      root.end();
      await Promise.all(providers.map((p) => p.forceFlush()));
      await Promise.all(providers.map((p) => p.shutdown()));

      expect(await totalsOf(`otel-${root.spanContext().traceId}`)).toEqual({
        span_count: 16,
        input_tokens: "45",
        output_tokens: "0",
        spans_stored: 16,
        tokens_stored: "45",
      });
    });

    it("answers every concurrent REST batch carrying the same new spans in different orders, with exact totals", async () => {
      const statuses: number[] = [];
      for (let round = 0; round < 10; round++) {
        const runId = `deadlock-${hex(4)}`;
        const startedAt = new Date().toISOString();
        const spanIds = Array.from({ length: 30 }, (_, i) => `${runId}-s${i}`);
        const batch = (order: string[], n: number) => ({
          items: order.map((id) => ({
            type: "span",
            id,
            runId,
            name: `step ${n}`,
            startedAt,
            inputTokens: 2,
            status: n % 3 === 0 ? "success" : "running",
          })),
        });
        // The run exists already, as it does when its spans stream in: nothing else orders the batches.
        const created = await fetch(`${servers[0]!.url}/api/v1/ingest`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": key },
          body: JSON.stringify({ items: [{ type: "run", id: runId, name: "deadlock", startedAt }] }),
        });
        expect(created.status).toBe(207);
        // Six batches of the same spans, none stored yet, in opposite and shuffled orders, to both instances at once.
        const bodies = Array.from({ length: 6 }, (_, n) => {
          const order = [...spanIds];
          if (n % 2) order.reverse();
          else if (n % 3 === 0) order.sort(() => Math.random() - 0.5);
          return batch(order, n);
        });
        statuses.push(
          ...(await Promise.all(
            bodies.map((body, i) =>
              fetch(`${servers[i % 2]!.url}/api/v1/ingest`, {
                method: "POST",
                headers: { "content-type": "application/json", "x-api-key": key },
                body: JSON.stringify(body),
              }).then((r) => r.status),
            ),
          )),
        );
        expect(await totalsOf(runId)).toEqual({
          span_count: 30,
          input_tokens: "60",
          output_tokens: "0",
          spans_stored: 30,
          tokens_stored: "60",
        });
      }
      const byStatus = Object.fromEntries(
        [...new Set(statuses)].map((s) => [s, statuses.filter((a) => a === s).length]),
      );
      expect(byStatus).toEqual({ 207: 60 });
    });
  },
);
