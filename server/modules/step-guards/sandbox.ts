import { spawn } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FatalStepError } from "@shared/workflow/errors.ts";
import { createGuardedFetch } from "./http-guard.ts";
import { permissionFlag, processUsage } from "./process-usage.ts";
import { createFetchRelay } from "./sandbox-fetch.ts";

export interface SandboxOptions {
  /** CPU time one execution may use. Default 1000 ms. */
  cpuMs?: number;
  /** JavaScript heap of one execution. Default 64 MB. */
  memoryMb?: number;
  /** Longest one execution may take, waiting included. Default 10 s. */
  wallMs?: number;
  /** Used for `fetch` in steps that allow the network. Default: the SSRF-guarded fetch (public addresses only). */
  fetch?: typeof fetch;
  /** Largest response body a step's `fetch` may read. Default 1 MB. */
  maxFetchBytes?: number;
  /** Largest JSON result. Default 1 MB. */
  maxOutputBytes?: number;
  /** Console output kept per execution (`onLog`); the rest is dropped. Default 64 kB. */
  maxLogBytes?: number;
}

export interface SandboxRunOptions {
  /** Give the code a `fetch` (through `SandboxOptions.fetch`). Default false. */
  allowNetwork?: boolean;
  /** Aborting kills the execution. */
  signal?: AbortSignal;
  onLog?: (level: string, text: string) => void;
}

export interface Sandbox {
  /** Runs `code` as the body of `async function (input)`; resolves with its JSON result. Usable as `runCode`. */
  run: (code: string, input: Record<string, unknown>, opts?: SandboxRunOptions) => Promise<unknown>;
}

type ChildMessage =
  | { type: "ready" }
  | { type: "log"; level: string; text: string }
  | { type: "fetch"; id: number; request: string }
  | { type: "result"; json?: string }
  | { type: "error"; kind: "cpu" | "code"; message?: string };

const POLL_MS = 20;
const STDERR_KEEP = 8192;
// Resident memory of the child beyond its heap limit that is still normal (code, young generation, buffers).
const RSS_SLACK_BYTES = 48 * 1024 * 1024;

/** Next to this module in the source tree, next to dist/index.js in the bundle (scripts/build-server.mjs). */
function childScript(): string {
  const path = fileURLToPath(new URL("./sandbox-child.mjs", import.meta.url));
  if (!existsSync(path)) throw new FatalStepError(`The code sandbox is not installed: ${path} is missing`);
  // The permission model compares real paths: a symlinked checkout must name the file itself.
  return realpathSync(path);
}

/**
 * Node's flags for a sandboxed script: the permission model with read access to that script alone (no file
 * writes, child processes, workers or addons), no code generation from strings even outside the vm context
 * (a leaked host object then still leads nowhere), and a heap limit.
 */
export function sandboxNodeArgs(script: string, memoryMb: number): string[] {
  return [
    permissionFlag(),
    `--allow-fs-read=${script}`,
    "--disallow-code-generation-from-strings",
    // Lets the child answer a dynamic import() with an error of the code's own realm.
    "--experimental-vm-modules",
    "--no-addons",
    "--no-warnings",
    `--max-old-space-size=${memoryMb}`,
    script,
  ];
}

/**
 * Code steps in a separate Node process per execution (flags: `sandboxNodeArgs`), with an empty environment and
 * a parent that kills it on CPU time, resident memory, wall time or abort.
 */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const cpuMs = options.cpuMs ?? 1000;
  const memoryMb = options.memoryMb ?? 64;
  const wallMs = options.wallMs ?? 10_000;
  const maxOutputBytes = options.maxOutputBytes ?? 1024 * 1024;
  const maxLogBytes = options.maxLogBytes ?? 64 * 1024;
  const relay = createFetchRelay(options.fetch ?? createGuardedFetch(), options.maxFetchBytes ?? 1024 * 1024);
  const cpuError = () => new FatalStepError(`Code step exceeded its ${cpuMs} ms CPU-time limit`);
  const memoryError = () => new FatalStepError(`Code step exceeded its ${memoryMb} MB memory limit`);

  function run(code: string, input: Record<string, unknown>, opts: SandboxRunOptions = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let inputJson: string;
      try {
        inputJson = JSON.stringify(input) ?? "null";
      } catch (error) {
        reject(new FatalStepError(`Code step input is not JSON-serialisable: ${(error as Error).message}`));
        return;
      }
      if (opts.signal?.aborted) {
        reject(opts.signal.reason as Error);
        return;
      }
      const script = childScript();
      const child = spawn(process.execPath, sandboxNodeArgs(script, memoryMb), {
        env: {},
        stdio: ["ignore", "ignore", "pipe", "ipc"],
        serialization: "json",
      });
      let stderr = "";
      let done = false;
      // Ends the fetches the code started when the execution ends, however it ends.
      const ended = new AbortController();
      let baseline: { cpuMs: number; rssBytes: number; at: number } | undefined;

      const finish = (settle: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(wallTimer);
        clearInterval(poller);
        opts.signal?.removeEventListener("abort", onAbort);
        child.kill("SIGKILL");
        ended.abort(new FatalStepError("Code step ended"));
        settle();
      };
      const fail = (error: Error) => finish(() => reject(error));
      const onAbort = () => fail((opts.signal?.reason as Error) ?? new FatalStepError("Code step cancelled"));
      opts.signal?.addEventListener("abort", onAbort, { once: true });

      const wallTimer = setTimeout(
        () => fail(new FatalStepError(`Code step exceeded its ${wallMs} ms time limit`)),
        wallMs,
      );
      const poller = setInterval(() => {
        if (!baseline || done || child.pid === undefined) return;
        const start = baseline;
        void processUsage(child.pid).then((usage) => {
          // Without /proc (not Linux) the time since the code started stands in for its CPU time.
          const used = usage ? usage.cpuMs - start.cpuMs : Date.now() - start.at;
          if (used > cpuMs) fail(cpuError());
          else if (usage && usage.rssBytes - start.rssBytes > memoryMb * 1024 * 1024 + RSS_SLACK_BYTES)
            fail(memoryError());
        });
      }, POLL_MS);

      child.stderr?.on("data", (chunk: Buffer) => {
        if (stderr.length < STDERR_KEEP) stderr += chunk.toString("utf8").slice(0, STDERR_KEEP - stderr.length);
      });
      child.on("error", (error) => fail(new Error(`Could not start the code sandbox: ${error.message}`)));
      // "close", not "exit": it comes after the last IPC message and stderr chunk have been read.
      child.on("close", (exitCode, signal) => {
        if (done) return;
        if (/heap out of memory|Reached heap limit|Allocation failed/i.test(stderr)) fail(memoryError());
        else
          fail(
            new Error(`Code sandbox exited unexpectedly (${signal ?? `code ${exitCode}`}): ${stderr.trim()}`.trim()),
          );
      });
      child.on("message", (message: ChildMessage) => {
        switch (message.type) {
          case "ready":
            void processUsage(child.pid ?? -1).then((usage) => {
              baseline = { cpuMs: usage?.cpuMs ?? 0, rssBytes: usage?.rssBytes ?? 0, at: Date.now() };
              if (done) return;
              child.send({
                type: "run",
                code,
                input: inputJson,
                cpuMs,
                allowNetwork: !!opts.allowNetwork,
                maxLogBytes,
              });
            });
            break;
          case "log":
            opts.onLog?.(message.level, message.text);
            break;
          case "fetch":
            void relay(message.request, ended.signal).then((reply) => {
              if (!done && child.connected) child.send({ type: "fetched", id: message.id, reply });
            });
            break;
          case "result":
            if (message.json !== undefined && message.json.length > maxOutputBytes)
              fail(new FatalStepError(`Code step result is larger than the ${maxOutputBytes}-byte limit`));
            else finish(() => resolve(message.json === undefined ? undefined : JSON.parse(message.json)));
            break;
          case "error":
            fail(message.kind === "cpu" ? cpuError() : new Error(message.message ?? "Code step failed"));
            break;
        }
      });
    });
  }
  return { run };
}
