import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGuardedFetch } from "./http-guard.ts";
import { createSandbox, sandboxNodeArgs } from "./sandbox.ts";
import { defineWorkflow } from "@shared/workflow/define.ts";
import { runWorkflow } from "@shared/workflow/engine.ts";
import { FatalStepError } from "@shared/workflow/errors.ts";
import { startHttpServer, type TestHttpServer } from "../../../tests/helpers/http-server.ts";

/** Sandbox children of this process still alive (read from /proc; empty where there is none). */
function liveChildren(): number[] {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  return pids.map(Number).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const state = stat.slice(stat.lastIndexOf(")") + 2)[0];
      return (
        ppid === process.pid && state !== "Z" && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("sandbox-child")
      );
    } catch {
      return false;
    }
  });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the code step to fail");
}

const sandbox = createSandbox({ cpuMs: 1000, memoryMb: 64 });

describe("the code-step sandbox", () => {
  afterEach(async () => {
    // Every execution's process is gone once its promise has settled (killed, not left to finish).
    for (let i = 0; i < 50 && liveChildren().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(liveChildren()).toEqual([]);
  });

  it("runs code on JSON input and returns its JSON result, with console output captured", async () => {
    const logs: string[] = [];
    const input = { order: { id: 7, lines: [{ sku: "ü-1", qty: 2, price: 9.5 }] }, note: null, flag: true };
    const code = `
      console.log("lines", input.order.lines.length, { first: input.order.lines[0].sku });
      const total = input.order.lines.reduce((sum, l) => sum + l.qty * l.price, 0);
      await Promise.resolve();
      return { id: input.order.id, total, note: input.note, flag: !input.flag, when: new Date(0) };`;
    const result = await sandbox.run(code, input, { onLog: (level, text) => logs.push(`${level} ${text}`) });
    expect(result).toEqual({ id: 7, total: 19, note: null, flag: false, when: "1970-01-01T00:00:00.000Z" });
    expect(logs).toEqual(['log lines 1 {"first":"ü-1"}']);
    expect(await sandbox.run("return;", {})).toBeUndefined();
    expect(await sandbox.run("return 'text'", {})).toBe("text");
  });

  it("bounds captured console output", async () => {
    const logs: string[] = [];
    const chatty = createSandbox({ maxLogBytes: 100 });
    await chatty.run(
      "for (let i = 0; i < 10; i++) console.warn('x'.repeat(40)); return 1",
      {},
      {
        onLog: (_level, text) => logs.push(text),
      },
    );
    expect(logs).toEqual(["x".repeat(40), "x".repeat(40), "[console output truncated]"]);
  });

  it("contains the escape corpus, each with a clear error", async () => {
    const corpus: Record<string, string> = {
      "return require('fs').readFileSync('/etc/passwd', 'utf8')": "ReferenceError: require is not defined",
      "return process.binding('fs')": "ReferenceError: process is not defined",
      "process.exit(0)": "ReferenceError: process is not defined",
      "return this.constructor.constructor('return process')().env":
        "EvalError: Code generation from strings disallowed for this context",
      // Stack-trace call sites name frames of the child's own module; its Function is disabled too.
      "Error.prepareStackTrace = (e, sites) => sites; return new Error().stack.at(-1).constructor.constructor('return process')()":
        "EvalError: Code generation from strings disallowed for this context",
      "return eval('1 + 1')": "EvalError: Code generation from strings disallowed for this context",
      "return Function('return this')()": "EvalError: Code generation from strings disallowed for this context",
      "const fs = await import('node:fs'); return fs.readFileSync('/etc/passwd', 'utf8')":
        "TypeError: import() is not allowed in code steps",
      "const cp = await import('node:child_process'); return cp.execSync('id').toString()":
        "TypeError: import() is not allowed in code steps",
      "const net = await import('node:net'); net.connect(22, '127.0.0.1')":
        "TypeError: import() is not allowed in code steps",
      "return await fetch('http://127.0.0.1:22/')":
        "TypeError: fetch is not allowed: this code step has no network access (network: true)",
      "return new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))":
        "CompileError: WebAssembly.Module(): Wasm code generation disallowed by embedder",
      "return typeof setTimeout === 'undefined' && typeof Buffer === 'undefined' ? x : 1":
        "ReferenceError: x is not defined",
      "throw new RangeError('own error')": "RangeError: own error",
    };
    for (const [code, message] of Object.entries(corpus)) {
      const error = await failure(sandbox.run(code, {}));
      expect(error.message, code).toBe(message);
    }
  });

  it("keeps tampered builtins inside the context", async () => {
    // The classic: a patched `then` would receive the host's resolve function if the host awaited the code's promise.
    const code = `
      Promise.prototype.then = function (ok) { return ok.constructor.constructor("return process")(); };
      JSON.stringify = () => { throw new Error("patched"); };
      return { still: "json" };`;
    expect(await sandbox.run(code, {})).toEqual({ still: "json" });
  });

  it("stops a synchronous or asynchronous infinite loop at the CPU-time limit", async () => {
    for (const code of ["while (true) {}", "await null; for (;;) {}"]) {
      const error = await failure(sandbox.run(code, {}));
      expect(error).toBeInstanceOf(FatalStepError);
      expect(error.message).toBe("Code step exceeded its 1000 ms CPU-time limit");
    }
  });

  it("stops a memory bomb at the memory limit, on the heap and outside it", async () => {
    const roomy = createSandbox({ cpuMs: 20_000, memoryMb: 64, wallMs: 30_000 });
    for (const code of [
      "const keep = []; for (;;) keep.push(new Array(100000).fill(1.5));",
      "const keep = []; for (;;) keep.push(new Uint8Array(16 * 1024 * 1024).fill(7));",
    ]) {
      const error = await failure(roomy.run(code, {}));
      expect(error).toBeInstanceOf(FatalStepError);
      expect(error.message, code).toBe("Code step exceeded its 64 MB memory limit");
    }
  });

  it("says so when the result is not JSON, is too large, or the code does not compile", async () => {
    expect((await failure(sandbox.run("return { ok: 1, n: 1n }", {}))).message).toMatch(
      /^Code step returned a value that is not JSON-serialisable: TypeError: "n" is a bigint$/,
    );
    expect((await failure(sandbox.run("return () => 1", {}))).message).toBe(
      "Code step returned a value that is not JSON-serialisable: TypeError: the value is a function",
    );
    const small = createSandbox({ maxOutputBytes: 100 });
    expect((await failure(small.run("return 'x'.repeat(200)", {}))).message).toBe(
      "Code step result is larger than the 100-byte limit",
    );
    expect((await failure(sandbox.run("return {", {}))).message).toMatch(/^SyntaxError: /);
  });

  it("ends an execution at its wall-time limit or when aborted, killing its process", async () => {
    const patient = createSandbox({ wallMs: 500 });
    expect((await failure(patient.run("await new Promise(() => {})", {}))).message).toBe(
      "Code step exceeded its 500 ms time limit",
    );
    const controller = new AbortController();
    const running = sandbox.run("await new Promise(() => {})", {}, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("run cancelled")), 200);
    expect((await failure(running)).message).toBe("run cancelled");
  });

  it("runs its child under the permission model: no writes, no child processes, no workers", () => {
    // The second wall, should code ever reach the child's own realm: the same flags on a probe script.
    const dir = mkdtempSync(join(tmpdir(), "echos-sandbox-"));
    const probe = join(dir, "probe.mjs");
    writeFileSync(
      probe,
      `import { writeFileSync, readFileSync } from "node:fs";
       import { spawnSync } from "node:child_process";
       import { Worker } from "node:worker_threads";
       const codes = {};
       const attempt = (name, fn) => { try { fn(); codes[name] = "allowed"; } catch (e) { codes[name] = e.code; } };
       attempt("write", () => writeFileSync(${JSON.stringify(join(dir, "out.txt"))}, "x"));
       attempt("read", () => readFileSync("/etc/passwd"));
       attempt("spawn", () => { const r = spawnSync("id"); if (r.error) throw r.error; });
       attempt("worker", () => new Worker("0", { eval: true }));
       attempt("eval", () => { try { new Function("return 1")(); } catch (e) { e.code = e.name; throw e; } });
       console.log(JSON.stringify({ codes, env: Object.keys(process.env) }));`,
    );
    try {
      const run = spawnSync(process.execPath, sandboxNodeArgs(probe, 64), { env: {}, encoding: "utf8" });
      expect(run.stderr).toBe("");
      expect(JSON.parse(run.stdout)).toEqual({
        codes: {
          write: "ERR_ACCESS_DENIED",
          read: "ERR_ACCESS_DENIED",
          spawn: "ERR_ACCESS_DENIED",
          worker: "ERR_ACCESS_DENIED",
          eval: "EvalError",
        },
        env: [],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // How long a cold execution takes is measured by `npm run bench:sandbox`.
  it("answers executions one after another, each with its own input", async () => {
    for (let i = 0; i < 5; i++) {
      expect(await sandbox.run("return input.n + 1", { n: i })).toBe(i + 1);
    }
  });
});

describe("code steps with network access", () => {
  let api: TestHttpServer;
  beforeAll(async () => {
    api = await startHttpServer("127.0.0.1", (req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () =>
        res
          .writeHead(200, { "content-type": "application/json", "x-seen": req.method ?? "" })
          .end(JSON.stringify({ path: req.url, body: body ? JSON.parse(body) : null })),
      );
    });
  });
  afterAll(() => api?.close());

  it("fetches through the guard: refused for a loopback address unless the operator allow-listed it", async () => {
    const code = `const res = await fetch(input.url, { method: "POST", headers: { "content-type": "application/json" }, body: { q: 1 } });
      return { status: res.status, seen: res.headers.get("X-Seen"), data: await res.json() };`;
    const url = `http://127.0.0.1:${api.port}/lookup`;
    const guarded = createSandbox();
    expect((await failure(guarded.run(code, { url }, { allowNetwork: true }))).message).toBe(
      `TypeError: Refused http://127.0.0.1:${api.port}/lookup: 127.0.0.1 is a loopback address ` +
        "(set HTTP_ALLOW_CIDRS to allow it)",
    );
    const allowed = createSandbox({ fetch: createGuardedFetch({ allowCidrs: ["127.0.0.1/32"] }) });
    expect(await allowed.run(code, { url }, { allowNetwork: true })).toEqual({
      status: 200,
      seen: "POST",
      data: { path: "/lookup", body: { q: 1 } },
    });
    expect(api.seen).toHaveLength(1);
  });

  it("runs a workflow's code steps in the sandbox and its http steps through the guard", async () => {
    const wf = defineWorkflow({
      name: "sandboxed",
      steps: [
        { id: "order", type: "http", url: `http://127.0.0.1:${api.port}/orders/{{input.id}}` },
        { id: "summary", type: "code", code: "return { path: input.order.path, double: input.input.id * 2 }" },
        {
          id: "again",
          type: "code",
          network: true,
          code: `const r = await fetch("http://127.0.0.1:${api.port}/again"); return (await r.json()).path;`,
        },
        { id: "offline", type: "code", code: "return await fetch('http://127.0.0.1/')", continueOnError: true },
      ],
      output: { summary: "{{steps.summary.output}}", again: "{{steps.again.output}}" },
    });
    const fetch = createGuardedFetch({ allowCidrs: ["127.0.0.0/8"] });
    const box = createSandbox({ fetch });
    const result = await runWorkflow(wf, { id: 21 }, { fetch, runCode: box.run });
    expect(result).toMatchObject({
      status: "success",
      output: { summary: { path: "/orders/21", double: 42 }, again: "/again" },
    });
    expect(result.steps.offline?.error).toBe(
      "TypeError: fetch is not allowed: this code step has no network access (network: true)",
    );
    const limited = await runWorkflow(
      defineWorkflow({ name: "loop", steps: [{ id: "spin", type: "code", code: "for (;;) {}", retries: 2 }] }),
      {},
      { runCode: createSandbox({ cpuMs: 300 }).run },
    );
    expect(limited.steps.spin).toMatchObject({ attempts: 1, error: "Code step exceeded its 300 ms CPU-time limit" });
  });
});
