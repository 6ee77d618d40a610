// npm run bench:sandbox — what one code step costs: each execution starts a Node process of its own under the
// permission model, runs the code on its JSON input and returns JSON. Timed from run() to its result, against a
// bare `node -e 0` spawned and awaited the same way, in the same run (the share that is Node's own start-up).
// BENCH_RUNS executions of each (default 20), one after another; needs nothing but Node.
import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { createSandbox } from "../server/modules/step-guards/sandbox.ts";
import { median, percentile, printTable, round } from "./lib/report.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 20);

async function timed(runs: number, once: (i: number) => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await once(i);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

function bareNode(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore", env: {} });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`node -e 0 exited with ${code}`))));
  });
}

const sandbox = createSandbox({ cpuMs: 1000, memoryMb: 64 });
const loadBefore = loadavg().map((l) => l.toFixed(2));
const cold = await timed(RUNS, async (i) => {
  const result = await sandbox.run("return input.n + 1", { n: i });
  if (result !== i + 1) throw new Error(`the sandbox answered ${JSON.stringify(result)} for ${i} + 1`);
});
const bare = await timed(RUNS, bareNode);

console.log(`Node ${process.version}; load average before: ${loadBefore.join(" ")}`);
const row = (name: string, times: number[]) => [
  name,
  round(median(times), 1),
  round(percentile(times, 90), 1),
  round(times[0]!, 1),
  round(times.at(-1)!, 1),
];
printTable(
  `Cold execution, ${RUNS} one after another (ms)`,
  ["", "median", "p90", "min", "max"],
  [row("code step in the sandbox", cold), row("bare node -e 0 (baseline)", bare)],
);
console.log(
  `\nsandbox cold execution: median ${round(median(cold), 0)} ms, ` +
    `of which about ${round(median(bare), 0)} ms is Node's own start-up`,
);
