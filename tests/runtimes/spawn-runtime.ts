import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./runtime-process.ts", import.meta.url));

export interface SpawnedRuntime {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first output line (already printed or to come) at or after `from` that matches. */
  waitForLine(pattern: RegExp, options?: { from?: number; timeoutMs?: number }): Promise<RegExpExecArray>;
  kill(): Promise<void>;
}

/** The SDK runtime in a process of its own, as a user's agent runs it: `node --import tsx runtime-process.ts`. */
export function spawnRuntime(env: { url: string; key: string; label: string; tools?: string }): SpawnedRuntime {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT], {
    env: {
      PATH: process.env.PATH,
      ECHOS_API_URL: env.url,
      ECHOS_API_KEY: env.key,
      RUNTIME_LABEL: env.label,
      RUNTIME_TOOLS: env.tools,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let stderr = "";
  const waiters = new Set<() => void>();
  let pending = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split("\n");
    pending = parts.pop() ?? "";
    lines.push(...parts);
    for (const wake of waiters) wake();
  });
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    lines,
    waitForLine(pattern, { from = 0, timeoutMs = 20_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (const line of lines.slice(from)) {
            const match = pattern.exec(line);
            if (match) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(match);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`no line matching ${pattern} within ${timeoutMs} ms; got ${JSON.stringify(lines)} ${stderr}`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
