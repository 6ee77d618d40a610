import { spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";

export interface PostgresTarget {
  url: string;
  ssl: boolean | "prefer";
}

/**
 * The URL without its password (which goes in PGPASSWORD instead: arguments are visible to every user of the
 * machine in `ps`), and TLS as the server itself connects when the URL names no sslmode.
 */
export function libpqConnection(target: PostgresTarget): { url: string; env: NodeJS.ProcessEnv } {
  const url = new URL(target.url);
  const env: NodeJS.ProcessEnv = {};
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  url.password = "";
  if (!url.searchParams.has("sslmode"))
    env.PGSSLMODE = target.ssl === true ? "require" : target.ssl === false ? "disable" : "prefer";
  return { url: url.toString(), env };
}

/** Runs a libpq tool; its stderr lines go to `onLine`, and the last few are the error if it fails. */
function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  io: { stdin?: Readable; stdout?: Writable; onLine?: (line: string) => void },
): Promise<void> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  const tail: string[] = [];
  let partial = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines.filter(Boolean)) {
      tail.push(line);
      if (tail.length > 5) tail.shift();
      io.onLine?.(line);
    }
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "ENOENT" ? new Error(`${command} not found: install the PostgreSQL client tools`) : error),
    );
    child.once("close", (code) => resolve(code ?? 1));
  });
  const streams: Promise<void>[] = [];
  if (io.stdin) streams.push(pipeline(io.stdin, child.stdin));
  else child.stdin.end();
  if (io.stdout) streams.push(pipeline(child.stdout, io.stdout));
  else child.stdout.resume();
  return Promise.all([exited, ...streams]).then(([code]) => {
    if (code !== 0) throw new Error(`${command} exited with ${code}: ${[...tail, partial].filter(Boolean).join("; ")}`);
  });
}

/** A plain-SQL dump that drops what it recreates, so it restores over an existing database too. */
export function pgDump(target: PostgresTarget, out: Writable, onTable: (table: string) => void): Promise<void> {
  const { url, env } = libpqConnection(target);
  const args = ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--verbose", `--dbname=${url}`];
  return run("pg_dump", args, env, {
    stdout: out,
    onLine: (line) => {
      const table = /dumping contents of table "?([^"]+)"?/.exec(line)?.[1];
      if (table) onTable(table);
    },
  });
}

/** All or nothing: one transaction, stopping at the first error. */
export function psqlRestore(target: PostgresTarget, sql: Readable): Promise<void> {
  const { url, env } = libpqConnection(target);
  // The dump's "drop … if exists" on an empty database would print a notice per object.
  env.PGOPTIONS = "-c client_min_messages=warning";
  const args = [
    "--quiet",
    "--no-psqlrc",
    "-v",
    "ON_ERROR_STOP=1",
    "--single-transaction",
    `--dbname=${url}`,
    "-f",
    "-",
  ];
  return run("psql", args, env, { stdin: sql });
}
