import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { and, eq } from "drizzle-orm";
import { runs, spans } from "../../db/schema.ts";
import type { RunningServer } from "../../server/server.ts";

const run = (file: string, env: Record<string, string>) =>
  new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", fileURLToPath(new URL(`./agents/${file}`, import.meta.url))],
      { env: { ...process.env, ...env }, timeout: 30_000 },
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

/** A stored run and its spans, as the dashboard reads them. */
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
  return { run: stored, spans: rows.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime()) };
}
