// HTTP benchmark: Echos (built bundle) vs. a bare node:http server, for throughput and cold start.
// Servers run as child processes so the load generator (this process) does not share their thread.
// BENCH_COLD_ONLY=1 skips the throughput runs. The children run on the Node that runs this script.
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { ensureBundle } from "./lib/bundle.ts";
import { type Child, freePort, get, killAllChildren, startChild, stopChild, waitFor200 } from "./lib/children.ts";
import { LOAD, type Throughput, measure } from "./lib/load.ts";
import { median, printTable, round } from "./lib/report.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BARE_SERVER = join(ROOT, "bench", "lib", "bare-server.mjs");
const READY_PATH = "/api/health/ready";
const COLD_RUNS = 10;
const TARGET_THROUGHPUT_RATIO = 0.6;
const TARGET_COLD_RATIO = 3;

process.on("exit", killAllChildren);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killAllChildren();
    process.exit(130);
  });
}

type Env = NodeJS.ProcessEnv;

function echosEnv(base: Env, port: number): Env {
  const env: Env = {
    ...base,
    NODE_ENV: "test",
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    RATE_LIMIT_MAX: "100000000",
  };
  // Embedded PGlite and in-memory store unless real services are asked for explicitly.
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  if (process.env.BENCH_DATABASE_URL) env.DATABASE_URL = process.env.BENCH_DATABASE_URL;
  if (process.env.BENCH_REDIS_URL) env.REDIS_URL = process.env.BENCH_REDIS_URL;
  return env;
}

interface Server {
  child: Child;
  base: string;
  ms: number;
}

async function startEchos(bundle: string, env: Env): Promise<Server> {
  const port = await freePort();
  const t0 = performance.now();
  const child = startChild([bundle], echosEnv(env, port), ROOT);
  const base = `http://127.0.0.1:${port}`;
  return { child, base, ms: await waitFor200(base + READY_PATH, child, t0) };
}

async function startBare(env: Env, body: string): Promise<Server> {
  const port = await freePort();
  const t0 = performance.now();
  const child = startChild([BARE_SERVER, String(port)], { ...env, BENCH_BODY: body }, ROOT);
  const base = `http://127.0.0.1:${port}`;
  return { child, base, ms: await waitFor200(base + READY_PATH, child, t0) };
}

async function healthBody(base: string): Promise<string> {
  const health = await get(`${base}/api/health`);
  if (health?.status !== 200)
    throw new Error(`GET /api/health answered ${health?.status ?? "nothing"}: ${health?.body ?? ""}`);
  return health.body;
}

/** The /api/health body the bare server answers with, so both send the same bytes. */
async function echosHealthBody(bundle: string): Promise<string> {
  const server = await startEchos(bundle, process.env);
  try {
    return await healthBody(server.base);
  } finally {
    await stopChild(server.child);
  }
}

async function throughput(
  bundle: string,
): Promise<{ echos: Record<string, Throughput>; bare: Throughput; body: string }> {
  const echos: Record<string, Throughput> = {};
  let body: string;
  const server = await startEchos(bundle, process.env);
  try {
    body = await healthBody(server.base);
    // The first three ping the database on every request; /api/health/ready does not, so it isolates the framework's share.
    for (const path of ["/api/health", "/trpc/system.health", "/health", READY_PATH]) {
      console.log(`load: Echos ${path} (${LOAD.warmup} s warm-up + ${LOAD.duration} s)`);
      echos[path] = await measure(server.base + path);
    }
  } finally {
    await stopChild(server.child);
  }
  const bareServer = await startBare(process.env, body);
  try {
    console.log(`load: bare node:http (${LOAD.warmup} s warm-up + ${LOAD.duration} s)`);
    return { echos, bare: await measure(`${bareServer.base}/api/health`), body };
  } finally {
    await stopChild(bareServer.child);
  }
}

interface ColdStart {
  env: string;
  echosMs: number[];
  bareMs: number[];
  echosMedianMs: number;
  bareMedianMs: number;
  ratio: number;
}

/** Spawn → first 200, alternating the two servers so drift on the machine hits both alike. */
async function coldStart(bundle: string, label: string, env: Env, body: string): Promise<ColdStart> {
  const echosMs: number[] = [];
  const bareMs: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const bare = await startBare(env, body);
    await stopChild(bare.child);
    bareMs.push(round(bare.ms, 1));
    const echos = await startEchos(bundle, env);
    await stopChild(echos.child);
    echosMs.push(round(echos.ms, 1));
    process.stdout.write(
      `cold start (${label}): run ${i + 1}/${COLD_RUNS}  echos ${echos.ms.toFixed(0)} ms, bare ${bare.ms.toFixed(0)} ms\n`,
    );
  }
  const echosMedianMs = round(median(echosMs), 1);
  const bareMedianMs = round(median(bareMs), 1);
  return { env: label, echosMs, bareMs, echosMedianMs, bareMedianMs, ratio: round(echosMedianMs / bareMedianMs) };
}

async function main(): Promise<void> {
  const caCerts = process.env.NODE_EXTRA_CA_CERTS;
  const database = process.env.BENCH_DATABASE_URL ? "PostgreSQL (BENCH_DATABASE_URL)" : "embedded PGlite";
  const store = process.env.BENCH_REDIS_URL ? "Redis (BENCH_REDIS_URL)" : "in-memory";
  console.log(`Node ${process.version}; NODE_EXTRA_CA_CERTS ${caCerts === undefined ? "not set" : `set (${caCerts})`}`);
  console.log(`database: ${database}; store: ${store}`);
  // Other work on a 2-core machine skews every figure; the load average says how much to trust them.
  const loadBefore = loadavg().map((l) => round(l));
  console.log(`load average before: ${loadBefore.join(" ")}`);
  console.log(
    `load: autocannon, ${LOAD.connections} connections, pipelining ${LOAD.pipelining}, ${LOAD.duration} s after ${LOAD.warmup} s warm-up`,
  );

  const bundle = ensureBundle(ROOT);
  console.log(`bundle: ${bundle.note}`);

  const t = process.env.BENCH_COLD_ONLY ? null : await throughput(bundle.path);
  const body = t?.body ?? (await echosHealthBody(bundle.path));
  const rows = t
    ? Object.entries(t.echos).map(([path, r]) => ({
        name: `Echos ${path}${path === READY_PATH ? " (no DB ping)" : ""}`,
        r,
        ratio: round(r.rps / t.bare.rps),
      }))
    : [];
  if (t)
    printTable(
      `Throughput (bare node:http body: ${Buffer.byteLength(t.body)} bytes of /api/health JSON)`,
      ["server", "req/s", "p50 ms", "p99 ms", "non-2xx", "errors", "vs bare", `≥ ${TARGET_THROUGHPUT_RATIO}`],
      [
        ...rows.map(({ name, r, ratio }) => [
          name,
          r.rps,
          r.latencyP50Ms,
          r.latencyP99Ms,
          r.non2xx,
          r.errors,
          ratio,
          ratio >= TARGET_THROUGHPUT_RATIO ? "yes" : "NO",
        ]),
        ["bare node:http", t.bare.rps, t.bare.latencyP50Ms, t.bare.latencyP99Ms, t.bare.non2xx, t.bare.errors, 1, ""],
      ],
    );

  const variants: [string, Env][] = [["env as is", process.env]];
  if (caCerts !== undefined) {
    const { NODE_EXTRA_CA_CERTS: _, ...without } = process.env;
    variants.push(["without NODE_EXTRA_CA_CERTS", without]);
  }
  const cold: ColdStart[] = [];
  for (const [label, env] of variants) cold.push(await coldStart(bundle.path, label, env, body));
  printTable(
    `Cold start: spawn → first 200 on ${READY_PATH}, median of ${COLD_RUNS}`,
    ["child env", "Echos ms", "bare ms", "ratio", `≤ ${TARGET_COLD_RATIO}`],
    cold.map((c) => [c.env, c.echosMedianMs, c.bareMedianMs, c.ratio, c.ratio <= TARGET_COLD_RATIO ? "yes" : "NO"]),
  );

  const loadAfter = loadavg().map((l) => round(l));
  console.log(`\nload average after: ${loadAfter.join(" ")}`);
  console.log(
    JSON.stringify({
      loadAverage: { before: loadBefore, after: loadAfter },
      node: process.version,
      nodeExtraCaCerts: caCerts !== undefined,
      bundle: bundle.note,
      database,
      store,
      load: LOAD,
      throughput: t && {
        bare: t.bare,
        echos: rows.map(({ r, ratio }) => ({ ...r, ratioVsBare: ratio, pass: ratio >= TARGET_THROUGHPUT_RATIO })),
        target: TARGET_THROUGHPUT_RATIO,
      },
      coldStart: {
        runs: COLD_RUNS,
        target: TARGET_COLD_RATIO,
        results: cold.map((c) => ({ ...c, pass: c.ratio <= TARGET_COLD_RATIO })),
      },
    }),
  );
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
} finally {
  killAllChildren();
}
