import { type ChildProcess, spawn } from "node:child_process";
import { request } from "node:http";
import { createServer } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

export interface Child {
  proc: ChildProcess;
  /** The last lines the child printed, for error messages. */
  output(): string;
  exited: Promise<number | null>;
}

const live = new Set<ChildProcess>();

/** Last resort: whatever happens to the parent, no server is left behind. */
export function killAllChildren(): void {
  for (const proc of live) if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  live.clear();
}

export function startChild(args: string[], env: NodeJS.ProcessEnv, cwd: string): Child {
  const proc = spawn(process.execPath, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  live.add(proc);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => {
    proc.once("exit", (code) => {
      live.delete(proc);
      resolve(code);
    });
    proc.once("error", (error) => {
      lines.push(String(error));
      live.delete(proc);
      resolve(null);
    });
  });
  return { proc, output: () => lines.join("\n"), exited };
}

export function isRunning(child: Child): boolean {
  return child.proc.exitCode === null && child.proc.signalCode === null && child.proc.pid !== undefined;
}

export async function stopChild(child: Child, graceMs = 5000): Promise<void> {
  if (!isRunning(child)) return;
  child.proc.kill("SIGTERM");
  const timedOut = await Promise.race([child.exited.then(() => false), sleep(graceMs).then(() => true)]);
  if (timedOut) {
    child.proc.kill("SIGKILL");
    await child.exited;
  }
}

/** A port the OS says is free right now, on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One GET without keep-alive; resolves to the status and body, or null when nothing answers. */
export function get(url: string, timeoutMs = 2000): Promise<{ status: number; body: string } | null> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", () => resolve(null));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(null));
    req.end();
  });
}

/**
 * Polls until `url` answers 200 and returns the time since `startedAt` (performance.now() clock).
 * Polls every few ms because the bare baseline starts in tens of ms: a coarse interval would swamp it.
 */
export async function waitFor200(url: string, child: Child, startedAt: number, timeoutMs = 60_000): Promise<number> {
  const deadline = startedAt + timeoutMs;
  while (performance.now() < deadline) {
    const res = await get(url, 1000);
    if (res?.status === 200) return performance.now() - startedAt;
    if (!isRunning(child))
      throw new Error(`child exited (code ${child.proc.exitCode}) before ${url} answered 200:\n${child.output()}`);
    await sleep(res ? 20 : 3);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms; child output:\n${child.output()}`);
}
