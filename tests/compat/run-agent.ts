import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { and, eq } from "drizzle-orm";
import { runs, spans } from "../../db/schema.ts";
import type { RunningServer } from "../../server/server.ts";

/** Killed before the test's own 30 s limit, so a stuck application fails with its output rather than a timeout. */
const run = (file: string, env: Record<string, string>) =>
  new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", fileURLToPath(new URL(`./agents/${file}`, import.meta.url))],
      { env: { ...process.env, ...env }, timeout: 25_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${file} failed: ${error.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });

/**
 * Runs an instrumented application (a script under agents/) in a Node process of its own, so that the global state
 * its library installs (tracer providers, patched modules) stays out of the test worker. Its last line of output is
 * a JSON object: what it reports back (trace ids…).
 */
export async function runAgent<T>(file: string, env: Record<string, string>): Promise<T> {
  const { stdout } = await run(file, env);
  const last = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as T;
}

/** A stored run and its spans, in the order they started (a parent before its children). */
export async function storedTrace(server: RunningServer, orgId: string, traceId: string) {
  const db = server.deps.database.db;
  const runId = `otel-${traceId}`;
  const [stored] = await db
    .select()
    .from(runs)
    .where(and(eq(runs.orgId, orgId), eq(runs.id, runId)));
  const rows = await db
    .select()
    .from(spans)
    .where(and(eq(spans.orgId, orgId), eq(spans.runId, runId)));
  // Start times have millisecond precision: a parent and its first child often share one, so depth breaks ties.
  const parentOf = new Map(rows.map((s) => [s.id, s.parentId]));
  const depth = (id: string | null): number => (id && parentOf.has(id) ? 1 + depth(parentOf.get(id)!) : 0);
  const order = (s: (typeof rows)[number]) => [s.startedAt.getTime(), depth(s.id)] as const;
  rows.sort((a, b) => order(a)[0] - order(b)[0] || order(a)[1] - order(b)[1]);
  return { run: stored, spans: rows };
}
