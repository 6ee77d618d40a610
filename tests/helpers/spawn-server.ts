import { type ChildProcess, spawn } from "node:child_process";
import { TEST_SERVER_NODE } from "./env.ts";
import { freePort } from "./redis-server.ts";

export interface SpawnedServer {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<void>;
}

/** Starts a server process on TEST_SERVER_NODE and waits until `/api/health/ready` answers 200. */
export async function spawnServer(
  args: string[],
  env: Record<string, string | undefined>,
  { timeoutMs = 30_000, port: fixedPort }: { timeoutMs?: number; port?: number } = {},
): Promise<SpawnedServer> {
  const port = fixedPort ?? (await freePort());
  const child = spawn(TEST_SERVER_NODE, args, {
    // RATE_LIMIT_MAX as in testEnv: every server on the machine counts 127.0.0.1 in one Redis counter.
    env: { PATH: process.env.PATH, HOST: "127.0.0.1", PORT: String(port), RATE_LIMIT_MAX: "100000", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server not ready within ${timeoutMs} ms:\n${out}`);
    }
    const ok = await fetch(`${url}/api/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url,
    output: () => out,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
