// npm run bench:live — ingest → SSE delivery latency with 100 and 1,000 subscribed clients: Echos (the production
// bundle, tRPC subscription `runs.live`, PostgreSQL + Redis) against, in the same run, a bare node:http + ioredis
// server (bench/lib/bare-live-server.mjs) under the same load shape.
//
// Per server and client count: open N streams, wait until all are open, send 20 warm-up events and wait until every
// client has the last of them, then send 200 events one at a time on a fixed schedule (one every 50 ms; the next is
// never sent before the previous POST was answered; sending stops after 20 s if the server cannot keep up) and
// collect the latency of every (event, client) pair: the time the client's chunk was read minus the time the POST
// was sent, both on this process's clock. The send time rides in the run's name (`bench <seq> <epoch ms>`) and comes
// back in the event. A Redis subscriber in this process also notes when each event reached Redis, to split the time
// into ingest (POST → Redis) and fan-out (Redis → client). See bench/lib/live-load.ts.
//
// Needs PostgreSQL — BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) is used to create and
// drop a scratch database — and Redis: BENCH_REDIS_URL or REDIS_URL (default redis://127.0.0.1:6379).
// Knobs: BENCH_LIVE_CLIENTS (default "100,1000"), BENCH_LIVE_EVENTS (200), BENCH_LIVE_INTERVAL_MS (50),
// BENCH_LIVE_CPU_PROF=<dir> (the Echos child writes a V8 CPU profile there on exit).
import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import postgres from "postgres";
import { type Bundle, ensureBundle } from "./lib/bundle.ts";
import { type Child, freePort, killAllChildren, startChild, stopChild, waitFor200 } from "./lib/children.ts";
import {
  JSON_HEADERS,
  type PhaseResult,
  RedisTap,
  type Shape,
  type Stats,
  type Target,
  cachedNames,
  call,
  closeCalls,
  isRecord,
  namesUnder,
  runPhase,
} from "./lib/live-load.ts";
import { printTable, round } from "./lib/report.ts";
import { openSse } from "./lib/sse.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const BARE_SERVER = join(ROOT, "bench", "lib", "bare-live-server.mjs");
const ADMIN_URL = process.env.BENCH_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL || process.env.REDIS_URL || "redis://127.0.0.1:6379";
const CLIENT_COUNTS = (process.env.BENCH_LIVE_CLIENTS ?? "100,1000").split(",").map(Number);
const CPU_PROF_DIR = process.env.BENCH_LIVE_CPU_PROF;
const SHAPE: Shape = {
  warmup: 20,
  events: Number(process.env.BENCH_LIVE_EVENTS ?? 200),
  intervalMs: Number(process.env.BENCH_LIVE_INTERVAL_MS ?? 50),
  budgetMs: 20_000,
  openConcurrency: 50,
  warmupTimeoutMs: 15_000,
  drainTimeoutMs: 10_000,
};
const TARGET_RATIO = 1.5;

process.on("exit", killAllChildren);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killAllChildren();
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The two servers under test, behind one interface.

async function startBare(): Promise<Target> {
  const port = await freePort();
  const child = startChild([BARE_SERVER, String(port)], { PATH: process.env.PATH, BENCH_REDIS_URL: REDIS_URL }, ROOT);
  const base = `http://127.0.0.1:${port}`;
  await waitFor200(`${base}/health`, child, performance.now(), 20_000);
  const names = cachedNames((data) => namesUnder(JSON.parse(data), "items"));
  return {
    label: "bare node:http + ioredis",
    child,
    open: (onEvent) => openSse(`${base}/events`, {}, onEvent),
    async ingest(body) {
      const res = await call("POST", `${base}/ingest`, JSON_HEADERS, body);
      if (res.status !== 202) throw new Error(`bare POST /ingest answered ${res.status}: ${res.body}`);
    },
    namesIn: (event) => (event.event === "message" && event.data !== "" ? names(event.data) : []),
  };
}

interface EchosServer {
  child: Child;
  base: string;
}

/** Spawns the bundle on the scratch database `dbName` (already created). */
async function startEchos(bundle: Bundle, dbName: string): Promise<EchosServer> {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  const port = await freePort();
  const args = CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${CPU_PROF_DIR}`, bundle.path] : [bundle.path];
  const child = startChild(
    args,
    {
      PATH: process.env.PATH,
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      RATE_LIMIT_MAX: "100000000",
      DATABASE_URL: url.toString(),
      REDIS_URL,
    },
    ROOT,
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor200(`${base}/api/health/ready`, child, performance.now());
  return { child, base };
}

/** Signs up (a new account owns a new organisation), finds the organisation, creates an ingest-only key. */
async function echosAccount(base: string): Promise<{ cookie: string; orgId: string; apiKey: string }> {
  const signUp = await call(
    "POST",
    `${base}/trpc/auth.signUp`,
    JSON_HEADERS,
    JSON.stringify({ email: `bench-live-${process.pid}@example.com`, password: "bench password 123" }),
  );
  const setCookie = [signUp.headers["set-cookie"] ?? []].flat().join("\n");
  const token = /echos_session=([^;]+)/.exec(setCookie)?.[1];
  if (signUp.status !== 200 || !token) throw new Error(`auth.signUp answered ${signUp.status}: ${signUp.body}`);
  const cookie = `echos_session=${token}`;

  const me = await call("GET", `${base}/trpc/auth.me`, { cookie });
  const parsed: unknown = JSON.parse(me.body);
  const data = isRecord(parsed) && isRecord(parsed.result) ? parsed.result.data : undefined;
  const orgId = isRecord(data) && typeof data.activeOrgId === "string" ? data.activeOrgId : undefined;
  if (me.status !== 200 || !orgId) throw new Error(`auth.me answered ${me.status} without an organisation: ${me.body}`);

  const created = await call(
    "POST",
    `${base}/api/keys`,
    { ...JSON_HEADERS, cookie, "sec-fetch-site": "same-origin" },
    JSON.stringify({ name: "bench live", scope: "ingest" }),
  );
  const createdBody: unknown = JSON.parse(created.body);
  const apiKey =
    isRecord(createdBody) && isRecord(createdBody.apiKey) && typeof createdBody.apiKey.key === "string"
      ? createdBody.apiKey.key
      : undefined;
  if (!apiKey) throw new Error(`POST /api/keys answered ${created.status}: ${created.body}`);
  return { cookie, orgId, apiKey };
}

async function echosTarget(server: EchosServer): Promise<Target> {
  const { base, child } = server;
  const { cookie, orgId, apiKey } = await echosAccount(base);
  const liveUrl = `${base}/trpc/runs.live?input=${encodeURIComponent(JSON.stringify({ orgId }))}`;
  const names = cachedNames((data) => {
    const parsed: unknown = JSON.parse(data);
    return isRecord(parsed) && parsed.type === "runs" ? namesUnder(parsed, "runs") : [];
  });
  const target: Target = {
    label: "Echos (runs.live)",
    child,
    open: (onEvent) => openSse(liveUrl, { cookie }, onEvent),
    async ingest(body) {
      const res = await call("POST", `${base}/api/v1/ingest`, { ...JSON_HEADERS, "x-api-key": apiKey }, body);
      if (res.status !== 207 || !res.body.includes('"rejected":0'))
        throw new Error(`Echos POST /api/v1/ingest answered ${res.status}: ${res.body}`);
    },
    namesIn: (event) => (event.event === "message" && event.data !== "" ? names(event.data) : []),
  };
  // Fail early, and clearly, when the bundle has no runs.live yet.
  try {
    const probe = await target.open(() => {});
    probe.close();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/No procedure found|NOT_FOUND|404/.test(message))
      throw new Error(
        "The tRPC subscription runs.live is not in this bundle: it should be defined in server/modules/runs/router.ts " +
          `and mounted as \`runs:\` in server/trpc/router.ts (then npm run build). The server said: ${message}`,
      );
    throw new Error(`Opening runs.live failed: ${message}`);
  }
  return target;
}

// ---------------------------------------------------------------------------------------------------------------

function ulimitN(): number {
  const out = spawnSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).stdout.trim();
  return out === "unlimited" ? Infinity : Number(out);
}

const ms = (v: number) => (Number.isNaN(v) ? "–" : v < 10 ? round(v, 1).toFixed(1) : String(Math.round(v)));
const pair = (s: Stats) => `${ms(s.p50)} / ${ms(s.p99)}`;

async function main(): Promise<void> {
  const cores = cpus();
  const maxClients = Math.max(...CLIENT_COUNTS);
  const fdLimit = ulimitN();
  console.log(
    `Node ${process.version}; ${cores.length} cores (${cores[0]?.model.trim() ?? "unknown CPU"}); ulimit -n ${fdLimit}`,
  );
  if (fdLimit < maxClients + 200)
    throw new Error(`ulimit -n is ${fdLimit}: ${maxClients} clients need at least ${maxClients + 200}; raise it`);
  const loadBefore = loadavg().map((l) => round(l));
  console.log(`load average before: ${loadBefore.join(" ")}`);
  console.log(
    `shape: per server and client count, ${SHAPE.warmup} warm-up events, then ${SHAPE.events} events, one every ` +
      `${SHAPE.intervalMs} ms (sequential POSTs; sending stops after ${SHAPE.budgetMs / 1000} s); latency = chunk read ` +
      `by the client − POST sent, for every (event, client) pair`,
  );
  console.log(`database: ${ADMIN_URL.replace(/\/\/[^@]*@/, "//…@")} (scratch database); Redis: ${REDIS_URL}`);

  const bundle = ensureBundle(ROOT, { rebuildIfStale: true });
  console.log(`bundle: ${bundle.note}`);

  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  const dbName = `echos_bench_live_${process.pid}`;
  let dbCreated = false;
  const tap = new RedisTap(REDIS_URL);
  let echosServer: EchosServer | undefined;
  const targets: Target[] = [];
  let echosError: Error | undefined;
  try {
    await tap.start();
    targets.push(await startBare());
    await admin.unsafe(`create database "${dbName}"`);
    dbCreated = true;
    echosServer = await startEchos(bundle, dbName);
    try {
      targets.push(await echosTarget(echosServer));
    } catch (error) {
      echosError = error instanceof Error ? error : new Error(String(error));
      console.log(`\nEchos cannot be measured: ${echosError.message}\nMeasuring the bare baseline only.\n`);
    }

    const results: PhaseResult[] = [];
    for (const clients of CLIENT_COUNTS)
      for (const target of targets) results.push(await runPhase(target, clients, SHAPE, tap));

    const find = (target: Target | undefined, clients: number) =>
      results.find((r) => r.target === target?.label && r.clients === clients);
    const [bare, echos] = targets;
    const rows = CLIENT_COUNTS.map((clients) => {
      const b = find(bare, clients)!;
      const e = find(echos, clients);
      const r50 = e ? e.latency.p50 / b.latency.p50 : Number.NaN;
      const r99 = e ? e.latency.p99 / b.latency.p99 : Number.NaN;
      const pass = e ? (r50 <= TARGET_RATIO && r99 <= TARGET_RATIO ? "yes" : "NO") : "–";
      return [
        clients,
        pair(b.latency),
        e ? pair(e.latency) : "not measured",
        e ? `${round(r50, 2)} / ${round(r99, 2)}` : "–",
        pass,
      ];
    });
    printTable(
      `Ingest → SSE delivery latency, ms (p50 / p99 over every event × client; ${cores.length} cores, harness and servers share them)`,
      ["clients", "bare p50 / p99", "Echos p50 / p99", "ratio p50 / p99", `≤ ${TARGET_RATIO}×`],
      rows,
    );
    printTable(
      "Where the time goes, ms (p50 / p99); CPU in ms per event",
      [
        "server, clients",
        "open all",
        "events",
        "delivered",
        "POST ack",
        "POST → Redis",
        "Redis → client",
        "max",
        "server CPU",
        "harness CPU",
        "late sends",
        "dropped",
      ],
      results.map((r) => [
        `${r.target}, ${r.clients}`,
        r.openMs,
        r.sent,
        `${r.delivered}/${r.expected}`,
        pair(r.ack),
        pair(r.toRedis),
        pair(r.fromRedis),
        ms(r.latency.max),
        round(r.serverCpuMsPerEvent, 2),
        round(r.harnessCpuMsPerEvent, 2),
        r.lateSends,
        r.dropped,
      ]),
    );
    const loadAfter = loadavg().map((l) => round(l));
    console.log(`\nload average after: ${loadAfter.join(" ")}`);
    console.log(
      JSON.stringify({
        node: process.version,
        cpus: cores.length,
        loadAverage: { before: loadBefore, after: loadAfter },
        bundle: bundle.note,
        shape: { ...SHAPE, clientCounts: CLIENT_COUNTS },
        target: TARGET_RATIO,
        results,
        echosError: echosError?.message,
      }),
    );
    if (echosError) throw new Error(`Echos was not measured: ${echosError.message}`);
  } finally {
    tap.stop();
    for (const t of targets) await stopChild(t.child);
    if (echosServer) await stopChild(echosServer.child);
    if (dbCreated) await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
    closeCalls();
  }
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
} finally {
  killAllChildren();
}
