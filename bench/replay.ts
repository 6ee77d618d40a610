// npm run bench:replay — time travel on the server, in one process against PostgreSQL + Redis:
// 1. "start replay" → first streamed step event, echos/sim, against a bare run of the same engine writing the same
//    event straight to the stream (no checks, no database), in the same run;
// 2. a 50-step workflow replayed from step 25: total time and server overhead per step, against the bare engine
//    replaying the same recording in memory.
// Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres, for a scratch
// database) and Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379).
import { performance } from "node:perf_hooks";
import postgres from "postgres";
import { defineWorkflow, type WorkflowDefinitionInput } from "@shared/workflow/define.ts";
import { replayPolicy, runWorkflow } from "@shared/workflow/engine.ts";
import { EchosRuntime } from "../sdk/runtime.ts";
import { loadConfig } from "../server/config.ts";
import { createLogger } from "../server/infra/logger.ts";
import { callerFor, createUser } from "../tests/helpers/factories.ts";
import { recordingOf, runSpans, stepSpans } from "../server/modules/replay/recording.ts";
import { replayStream } from "../server/modules/replay/stream.ts";
import { startServer } from "../server/server.ts";
import { median, percentile, printTable, round } from "./lib/report.ts";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const STARTS = Number(process.env.BENCH_STARTS ?? 60);
const LONG_RUNS = Number(process.env.BENCH_LONG_RUNS ?? 10);

const short: WorkflowDefinitionInput = {
  name: "bench-short",
  steps: [
    { id: "a", type: "llm", model: "echos/sim", prompt: "Classify {{input.text}}" },
    { id: "b", type: "llm", model: "echos/sim", prompt: "Answer {{steps.a.output}}" },
  ],
};
const long: WorkflowDefinitionInput = {
  name: "bench-long",
  steps: Array.from({ length: 50 }, (_, i) => ({
    id: `s${i}`,
    type: "llm" as const,
    model: "echos/sim",
    prompt: i === 0 ? "Start with {{input.text}}" : `Step ${i} continues {{steps.s${i - 1}.output}}`,
  })),
};

const streamMs = (id: string) => Number(id.split("-")[0]);

const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
const dbName = `echos_bench_replay_${process.pid}`;
await admin.unsafe(`create database ${dbName}`);
const databaseUrl = ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
const config = loadConfig({
  NODE_ENV: "test",
  PORT: "0",
  HOST: "127.0.0.1",
  LOG_LEVEL: "error",
  DATABASE_URL: databaseUrl,
  REDIS_URL,
  RATE_LIMIT_MAX: "1000000",
});
const server = await startServer(config, createLogger(config), { client: "none" });
try {
  const { deps } = server;
  const owner = await createUser(deps, "bench");
  const caller = callerFor(deps, owner);
  const { key } = await caller.apiKeys.create({ orgId: owner.orgId, name: "bench", scope: "full" });
  const runtime = new EchosRuntime({ apiKey: key, apiUrl: server.url });
  const shortRun = (await runtime.run(short, { text: "a parcel that never arrived" })).runId;
  const longRun = (await runtime.run(long, { text: "a long investigation" })).runId;
  await runtime.flush();

  const startReplay = async (runId: string, forkStep: string, prompt: string) => {
    const { token } = await caller.replays.token({ orgId: owner.orgId, runId });
    const t0 = Date.now();
    const { replayId } = await caller.replays.start({
      orgId: owner.orgId,
      token,
      request: { mode: "workflow", runId, forkStep, overrides: { [forkStep]: { prompt } } },
    });
    return { replayId, t0 };
  };
  const untilFinished = async (replayId: string) => {
    for (;;) {
      const { entries } = await deps.store.readAfter(replayStream(owner.orgId, replayId), "0-0", 100_000);
      const last = entries.at(-1);
      if (last && JSON.parse(last.message).type === "finished") return entries;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  // 1. Start → first streamed step event.
  const firstEvent: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const { replayId, t0 } = await startReplay(shortRun, "b", `Answer kindly #${i}: {{steps.a.output}}`);
    const entries = await untilFinished(replayId);
    firstEvent.push(streamMs(entries[0]!.id) - t0);
  }
  const definition = defineWorkflow(short);
  const recording = recordingOf(stepSpans(await runSpans(deps, owner.orgId, shortRun)));
  const bare: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const stream = `bench:bare:${i}:${Date.now()}`;
    const t0 = Date.now();
    let first: Promise<string> | null = null;
    await runWorkflow(
      definition,
      { text: "x" },
      {
        recording,
        policy: replayPolicy(definition, "b"),
        onStepStart: (step) => {
          first ??= deps.store.append(stream, JSON.stringify({ type: "step", stepId: step.id }), {
            maxLen: 100,
            ttlMs: 60_000,
          });
        },
      },
    );
    bare.push(streamMs(await first!) - t0);
  }
  const sortedFirst = [...firstEvent].sort((a, b) => a - b);
  const sortedBare = [...bare].sort((a, b) => a - b);
  printTable(
    `Start replay → first streamed step event (echos/sim, ${STARTS} replays, ms, server clock)`,
    ["path", "p50", "p99", "max"],
    [
      [
        "replays.start (checks, token, usage, rows, background run)",
        median(firstEvent),
        percentile(sortedFirst, 99),
        sortedFirst.at(-1)!,
      ],
      ["bare engine → stream append (baseline)", median(bare), percentile(sortedBare, 99), sortedBare.at(-1)!],
    ],
  );

  // 2. 50 steps, replayed from step 25.
  const longDefinition = defineWorkflow(long);
  const longRecording = recordingOf(stepSpans(await runSpans(deps, owner.orgId, longRun)));
  const totals: number[] = [];
  for (let i = 0; i < LONG_RUNS; i++) {
    const t = performance.now();
    const { replayId } = await startReplay(longRun, "s25", `Step 25 rethinks #${i}: {{steps.s24.output}}`);
    await untilFinished(replayId);
    totals.push(performance.now() - t);
  }
  const bareTotals: number[] = [];
  for (let i = 0; i < LONG_RUNS; i++) {
    const t = performance.now();
    await runWorkflow(
      longDefinition,
      { text: "a long investigation" },
      {
        recording: longRecording,
        policy: replayPolicy(longDefinition, "s25"),
        overrides: { s25: { prompt: `Step 25 rethinks #${i}: {{steps.s24.output}}` } },
      },
    );
    bareTotals.push(performance.now() - t);
  }
  const total = median(totals);
  const bareTotal = median(bareTotals);
  printTable(
    `50-step workflow replayed from step 25 (${LONG_RUNS} replays, median ms)`,
    ["path", "total", "per step", "overhead per step"],
    [
      [
        "server replay (spans written, streamed, compared-ready)",
        round(total, 1),
        round(total / 50, 2),
        round((total - bareTotal) / 50, 2),
      ],
      ["bare engine in memory (baseline)", round(bareTotal, 1), round(bareTotal / 50, 2), 0],
    ],
  );
} finally {
  await server.shutdown();
  await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
}
