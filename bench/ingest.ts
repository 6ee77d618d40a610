// npm run bench:ingest — spans/s committed through POST /api/v1/ingest (batches of 200 spans of ~1 KB, 8 concurrent
// clients), the same load as OTLP protobuf on /v1/traces and as Langfuse events on /api/public/ingestion, against, in
// the same run, a raw postgres.js COPY of the same rows into the same table.
// Needs PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) is used to create and
// drop a scratch database.
import { randomBytes, randomUUID } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import postgres from "postgres";
import { otlpProtobufTypes } from "../server/modules/otlp/decode.ts";
import { ensureBundle } from "./lib/bundle.ts";
import { freePort, killAllChildren, startChild, stopChild, waitFor200 } from "./lib/children.ts";
import { backendPids, cpuMeter, processCpuMs } from "./lib/cpu.ts";
import { printTable, round } from "./lib/report.ts";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const BATCH = 200;
const CLIENTS = 8;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 160); // 32,000 spans
const ROOT = new URL("..", import.meta.url).pathname;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** ~1 KB per span: an LLM step with a prompt, an answer and attributes. */
function makeSpan(runId: string, i: number) {
  return {
    type: "span" as const,
    id: randomUUID(),
    runId,
    name: `step-${i % 12}`,
    kind: "llm" as const,
    status: "success" as const,
    startedAt: new Date(Date.now() - 1000).toISOString(),
    endedAt: new Date().toISOString(),
    model: "gpt-4o-mini",
    inputTokens: 320,
    outputTokens: 80,
    costUsd: 0.0001,
    input: { messages: [{ role: "user", content: "Classify this support ticket about a refund. ".repeat(8) }] },
    output: { role: "assistant", content: "billing / refund — route to the payments queue. ".repeat(6) },
    attributes: { "gen_ai.system": "openai", attempt: 1, region: "eu-west-1" },
  };
}

/** The same load as OTLP protobuf: one trace per batch, 200 GenAI spans of about the same size. */
function makeOtlpBatch(): Uint8Array<ArrayBuffer> {
  const traceId = randomBytes(16);
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const attr = (key: string, value: { stringValue?: string; intValue?: number; doubleValue?: number }) => ({
    key,
    value,
  });
  const spans = Array.from({ length: BATCH }, (_, i) => ({
    traceId,
    spanId: randomBytes(8),
    name: `chat gpt-4o-mini ${i % 12}`,
    kind: 3,
    startTimeUnixNano: String(nowNs - 1_000_000_000n),
    endTimeUnixNano: String(nowNs),
    attributes: [
      attr("gen_ai.system", { stringValue: "openai" }),
      attr("gen_ai.request.model", { stringValue: "gpt-4o-mini" }),
      attr("gen_ai.usage.input_tokens", { intValue: 320 }),
      attr("gen_ai.usage.output_tokens", { intValue: 80 }),
      attr("gen_ai.request.temperature", { doubleValue: 0.2 }),
    ],
    events: [
      {
        name: "gen_ai.user.message",
        timeUnixNano: String(nowNs),
        attributes: [attr("content", { stringValue: "Classify this support ticket about a refund. ".repeat(8) })],
      },
      {
        name: "gen_ai.choice",
        timeUnixNano: String(nowNs),
        attributes: [attr("content", { stringValue: "billing / refund — route to the payments queue. ".repeat(6) })],
      },
    ],
    status: { code: 1 },
  }));
  const request = {
    resourceSpans: [
      {
        resource: { attributes: [attr("service.name", { stringValue: "bench-agent" })] },
        scopeSpans: [{ scope: { name: "bench" }, spans }],
      },
    ],
  };
  const type = otlpProtobufTypes.request;
  return new Uint8Array(type.encode(type.fromObject(request)).finish());
}

/**
 * The same load as the Langfuse v3 client sends it to `POST /api/public/ingestion`: one trace-create and 200
 * generation-create events per batch, each generation about the size of the REST span.
 */
function makeLangfuseBatch(): string {
  const traceId = randomUUID();
  const now = Date.now();
  const at = (ms: number) => new Date(ms).toISOString();
  const batch = [
    {
      id: randomUUID(),
      type: "trace-create",
      timestamp: at(now),
      body: { id: traceId, name: "bench-agent", timestamp: at(now - 1000) },
    },
    ...Array.from({ length: BATCH }, (_, i) => ({
      id: randomUUID(),
      type: "generation-create",
      timestamp: at(now),
      body: {
        id: randomUUID(),
        traceId,
        name: `step-${i % 12}`,
        startTime: at(now - 1000),
        endTime: at(now),
        model: "gpt-4o-mini",
        modelParameters: { temperature: 0.2 },
        input: [{ role: "user", content: "Classify this support ticket about a refund. ".repeat(8) }],
        output: { role: "assistant", content: "billing / refund — route to the payments queue. ".repeat(6) },
        usage: { input: 320, output: 80, unit: "TOKENS" },
        metadata: { attempt: 1, region: "eu-west-1" },
      },
    })),
  ];
  return JSON.stringify({ batch, metadata: { sdk_name: "bench", sdk_version: "0", public_key: "pk-lf-bench" } });
}

/** Sends `bodies` from `CLIENTS` concurrent clients; returns spans/s and acknowledgement latencies (sorted). */
async function load(
  bodies: (string | Uint8Array<ArrayBuffer>)[],
  url: string,
  headers: Record<string, string>,
  ok: (res: Response) => Promise<boolean>,
  meters: Meters,
) {
  const latencies: number[] = [];
  let next = 0;
  meters.start();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const t = performance.now();
        const res = await fetch(url, {
          method: "POST",
          headers,
          body: body,
        });
        if (!(await ok(res))) throw new Error(`${url} answered ${res.status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const rate = (bodies.length * BATCH) / ((performance.now() - started) / 1000);
  return { rate, latencies: latencies.sort((a, b) => a - b), cpu: meters.stop(bodies.length * BATCH) };
}

/** CPU per 1,000 spans of the server process, the database's backends and this process (the client). */
interface CpuPer1k {
  server: number;
  db: number;
  client: number;
}
type Meters = { start(): void; stop(items: number): CpuPer1k };

function meters(serverPid: number | undefined, dbName: string): Meters {
  const server = cpuMeter(() => (serverPid ? [serverPid] : []));
  const db = cpuMeter(() => backendPids(dbName));
  const client = cpuMeter(() => [process.pid]);
  return {
    start() {
      server.start();
      db.start();
      client.start();
    },
    stop(items) {
      const per1k = (ms: number) => (ms * 1000) / items;
      return { server: per1k(server.stop()), db: per1k(db.stop()), client: per1k(client.stop()) };
    },
  };
}
const cpuTotal = (c: CpuPer1k) => c.server + c.db + c.client;

/** CPU per 1,000 spans by process, and how COPY's total compares: the throughput ratio on an idle machine. */
const cpuCells = (c: CpuPer1k, copy: CpuPer1k) => [
  Math.round(c.server),
  Math.round(c.db),
  Math.round(c.client),
  round(cpuTotal(copy) / cpuTotal(c)),
];

async function main() {
  process.on("exit", killAllChildren);
  const dbName = `echos_bench_${process.pid}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${dbName}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  const bundle = ensureBundle(ROOT);
  const port = await freePort();
  const child = startChild(
    [bundle.path],
    {
      PATH: process.env.PATH,
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      RATE_LIMIT_MAX: "100000000",
      DATABASE_URL: url.toString(),
    },
    ROOT,
  );
  const base = `http://127.0.0.1:${port}`;
  const meter = meters(child.proc.pid, dbName);
  try {
    await waitFor200(`${base}/api/health/ready`, child, performance.now());
    const signUp = await fetch(`${base}/trpc/auth.signUp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: `bench-${process.pid}@example.com`, password: "bench password 123" }),
    });
    const token = /echos_session=([^;]+)/.exec(signUp.headers.get("set-cookie") ?? "")?.[1];
    const created = (await (
      await fetch(`${base}/api/keys`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ name: "bench" }),
      })
    ).json()) as { apiKey: { key: string } };
    const key = created.apiKey.key;

    const runId = randomUUID();
    const batches = Array.from({ length: BATCHES }, (_, b) =>
      JSON.stringify({ items: Array.from({ length: BATCH }, (_, i) => makeSpan(runId, b * BATCH + i)) }),
    );
    const bytesPerSpan = Math.round(batches[0]!.length / BATCH);
    // Warm-up: JIT, pools, the run's placeholder row.
    for (const body of batches.slice(0, 4))
      await fetch(`${base}/api/v1/ingest`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": key },
        body: body.replaceAll(/"id":"/g, '"id":"w'),
      });

    const rest = await load(
      batches,
      `${base}/api/v1/ingest`,
      { "content-type": "application/json", "x-api-key": key },
      async (res) => {
        const result = (await res.json()) as { rejected: number };
        return res.status === 207 && result.rejected === 0;
      },
      meter,
    );
    const ingestRate = rest.rate;
    const latencies = rest.latencies;

    const otlpBodies = Array.from({ length: BATCHES }, () => makeOtlpBatch());
    const otlpHeaders = { "content-type": "application/x-protobuf", "x-api-key": key };
    for (const body of Array.from({ length: 4 }, () => makeOtlpBatch()))
      await fetch(`${base}/v1/traces`, { method: "POST", headers: otlpHeaders, body });
    const otlp = await load(
      otlpBodies,
      `${base}/v1/traces`,
      otlpHeaders,
      async (res) => {
        await res.arrayBuffer();
        return res.status === 200;
      },
      meter,
    );

    // Langfuse's legacy batch API, authenticated as its clients do: HTTP Basic with public key : secret key.
    const langfuseHeaders = {
      "content-type": "application/json",
      authorization: `Basic ${Buffer.from(`pk-lf-bench:${key}`).toString("base64")}`,
    };
    const langfuseBodies = Array.from({ length: BATCHES }, () => makeLangfuseBatch());
    for (const body of Array.from({ length: 4 }, () => makeLangfuseBatch()))
      await fetch(`${base}/api/public/ingestion`, { method: "POST", headers: langfuseHeaders, body });
    const langfuse = await load(
      langfuseBodies,
      `${base}/api/public/ingestion`,
      langfuseHeaders,
      async (res) => {
        const result = (await res.json()) as { errors?: unknown[] };
        return res.status === 207 && result.errors?.length === 0;
      },
      meter,
    );

    // Baseline: the same rows through COPY on one connection of the same database.
    const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
    const [owner] = await sql<{ org_id: string }[]>`select org_id from runs where id = ${runId}`;
    const orgId = owner!.org_id;
    const rows = batches.flatMap((b) => (JSON.parse(b) as { items: ReturnType<typeof makeSpan>[] }).items);
    const escape = (v: string | number | null | undefined) =>
      v === null || v === undefined
        ? "\\N"
        : String(v).replaceAll("\\", "\\\\").replaceAll("\t", "\\t").replaceAll("\n", "\\n");
    const lines = rows.map(
      (s) =>
        [
          orgId,
          `copy-${s.id}`,
          s.runId,
          s.name,
          s.kind,
          s.status,
          s.startedAt,
          s.endedAt,
          JSON.stringify(s.input),
          JSON.stringify(s.output),
          JSON.stringify(s.attributes),
          s.model,
          s.inputTokens,
          s.outputTokens,
          s.costUsd,
        ]
          .map(escape)
          .join("\t") + "\n",
    );
    const [copyBackend] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
    const copyPid = copyBackend!.pid;
    const copyDb = cpuMeter(() => [copyPid]);
    const copyClient = processCpuMs(process.pid);
    copyDb.start();
    const copyStarted = performance.now();
    const writable =
      await sql`copy spans (org_id, id, run_id, name, kind, status, started_at, ended_at, input, output, attributes, model, input_tokens, output_tokens, cost_usd) from stdin`.writable();
    await pipeline(Readable.from(lines), writable);
    const copyRate = rows.length / ((performance.now() - copyStarted) / 1000);
    const copyCpu: CpuPer1k = {
      server: 0,
      db: (copyDb.stop() * 1000) / rows.length,
      client: ((processCpuMs(process.pid) - copyClient) * 1000) / rows.length,
    };
    await sql.end();

    printTable(
      `Ingest: ${BATCHES} batches × ${BATCH} spans (~${bytesPerSpan} B each), ${CLIENTS} concurrent clients`,
      ["path", "spans/s", "ack p50 ms", "ack p99 ms", "vs COPY", "CPU ms/1k: server", "db", "client", "COPY CPU / CPU"],
      [
        [
          "POST /api/v1/ingest",
          Math.round(ingestRate),
          round(percentile(latencies, 50), 1),
          round(percentile(latencies, 99), 1),
          round(ingestRate / copyRate),
          ...cpuCells(rest.cpu, copyCpu),
        ],
        [
          "POST /v1/traces (OTLP protobuf)",
          Math.round(otlp.rate),
          round(percentile(otlp.latencies, 50), 1),
          round(percentile(otlp.latencies, 99), 1),
          round(otlp.rate / copyRate),
          ...cpuCells(otlp.cpu, copyCpu),
        ],
        [
          "POST /api/public/ingestion (Langfuse)",
          Math.round(langfuse.rate),
          round(percentile(langfuse.latencies, 50), 1),
          round(percentile(langfuse.latencies, 99), 1),
          round(langfuse.rate / copyRate),
          ...cpuCells(langfuse.cpu, copyCpu),
        ],
        ["raw COPY (1 connection)", Math.round(copyRate), "", "", 1, ...cpuCells(copyCpu, copyCpu)],
      ],
    );
    console.log(
      JSON.stringify({
        node: process.version,
        cpus: cpus().length,
        load: loadavg(),
        bundle: bundle.note,
        spansPerBatch: BATCH,
        clients: CLIENTS,
        ingestSpansPerSecond: Math.round(ingestRate),
        copyRowsPerSecond: Math.round(copyRate),
        ratio: round(ingestRate / copyRate),
        ackP50Ms: round(percentile(latencies, 50), 1),
        ackP99Ms: round(percentile(latencies, 99), 1),
        otlpSpansPerSecond: Math.round(otlp.rate),
        otlpRatio: round(otlp.rate / copyRate),
        otlpAckP50Ms: round(percentile(otlp.latencies, 50), 1),
        otlpAckP99Ms: round(percentile(otlp.latencies, 99), 1),
        langfuseSpansPerSecond: Math.round(langfuse.rate),
        langfuseRatio: round(langfuse.rate / copyRate),
        langfuseAckP50Ms: round(percentile(langfuse.latencies, 50), 1),
        langfuseAckP99Ms: round(percentile(langfuse.latencies, 99), 1),
        cpuMsPer1k: { rest: rest.cpu, otlp: otlp.cpu, langfuse: langfuse.cpu, copy: copyCpu },
      }),
    );
  } finally {
    await stopChild(child);
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
  }
}

await main();
