// The process a code step runs in (started by sandbox.ts, one per execution, under Node's permission model).
// The user's code runs in a vm context that holds no object of this process: a host object in reach would lead
// through `.constructor.constructor` to this realm's Function and from there to `process`. So the input arrives as
// JSON text and is parsed inside the context, the result leaves as JSON text, and the only host functions the
// context calls are kept in closures of code compiled inside it and take and return primitives only.
// Node 20's permission model does not cover the network: "no network" holds because nothing in the context can
// reach a socket. Code steps that allow the network get a `fetch` that asks the parent, which fetches through
// its SSRF guard.
import vm from "node:vm";

const SETUP = String.raw`"use strict";
(function (bridge, startKey, inputJson, allowNetwork) {
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const then = Promise.prototype.then;
  const toText = String;
  const PromiseOf = Promise;
  const TypeErrorOf = TypeError;
  const defineProperty = Object.defineProperty;
  const pending = new Map();
  const get = Map.prototype.get;
  const set = Map.prototype.set;
  const remove = Map.prototype.delete;

  const describe = (error) => {
    try {
      if ((typeof error === "object" && error !== null) || typeof error === "function") {
        const name = error.name;
        const message = error.message;
        if (typeof message === "string") return (typeof name === "string" && name ? name : "Error") + ": " + message;
      }
      return toText(error);
    } catch {
      return "Error: a thrown value that cannot be shown";
    }
  };
  const show = (value) => {
    if (typeof value === "string") return value;
    try {
      const json = stringify(value);
      return json === undefined ? toText(value) : json;
    } catch {
      try {
        return toText(value);
      } catch {
        return "[unprintable]";
      }
    }
  };
  const log = (level) =>
    function (...args) {
      let text = "";
      for (let i = 0; i < args.length; i++) text += (i ? " " : "") + show(args[i]);
      bridge("log", level, text);
    };
  globalThis.console = { log: log("log"), info: log("info"), warn: log("warn"), error: log("error"), debug: log("debug") };

  const notJson = (key, value) => {
    const kind = typeof value;
    if (kind === "function" || kind === "symbol" || kind === "bigint")
      throw new TypeErrorOf((key === "" ? "the value" : '"' + key + '"') + " is a " + kind);
    return value;
  };

  const headerPairs = (headers) => {
    const pairs = {};
    if (headers !== undefined && headers !== null)
      for (const name of Object.keys(headers)) pairs[toText(name)] = toText(headers[name]);
    return pairs;
  };
  const response = (r) => {
    const lower = {};
    for (const [name, value] of r.headers) lower[name] = value;
    const body = r.body;
    return {
      ok: r.status >= 200 && r.status < 300,
      status: r.status,
      statusText: r.statusText,
      url: r.url,
      headers: { get: (name) => lower[toText(name).toLowerCase()] ?? null, has: (name) => toText(name).toLowerCase() in lower },
      text: () => PromiseOf.resolve(body),
      json: () => new PromiseOf((resolve) => resolve(parse(body))),
    };
  };
  if (allowNetwork) {
    let nextId = 0;
    globalThis.fetch = (resource, init) =>
      new PromiseOf((resolve, reject) => {
        const options = init === undefined || init === null ? {} : init;
        const body = options.body;
        const request = stringify({
          url: toText(resource),
          method: options.method === undefined ? "GET" : toText(options.method),
          headers: headerPairs(options.headers),
          body: body === undefined || body === null ? undefined : typeof body === "string" ? body : stringify(body),
        });
        const id = ++nextId;
        set.call(pending, id, { resolve, reject });
        bridge("fetch", id, request);
      });
  } else {
    globalThis.fetch = () =>
      PromiseOf.reject(new TypeErrorOf("fetch is not allowed: this code step has no network access (network: true)"));
  }

  defineProperty(globalThis, startKey, {
    configurable: true,
    value: function (fn) {
      delete globalThis[startKey];
      let promise;
      try {
        promise = fn(parse(inputJson));
      } catch (error) {
        bridge("error", describe(error));
        return;
      }
      then.call(
        promise,
        (value) => {
          let json;
          try {
            json = stringify(value, notJson);
          } catch (error) {
            bridge("error", "Code step returned a value that is not JSON-serialisable: " + describe(error));
            return;
          }
          bridge("result", json);
        },
        (error) => bridge("error", describe(error)),
      );
    },
  });

  return {
    deliver(id, json) {
      const waiting = get.call(pending, id);
      if (!waiting) return;
      remove.call(pending, id);
      const reply = parse(json);
      if (reply.error !== undefined) waiting.reject(new TypeErrorOf(reply.error));
      else waiting.resolve(response(reply));
    },
    error: (message) => new TypeErrorOf(message),
  };
})`;

let settled = false;
let logBytes = 0;

function send(message) {
  process.send(message);
}

function finish(message) {
  if (settled) return;
  settled = true;
  process.send(message, () => process.exit(0));
}

function run({ code, input, cpuMs, allowNetwork, maxLogBytes }) {
  const context = vm.createContext(Object.create(null), {
    name: "code step",
    codeGeneration: { strings: false, wasm: false },
  });
  const startKey = `__start_${Math.random().toString(36).slice(2)}`;
  // The one host function the context calls; it accepts primitives only and never throws into the context.
  const bridge = (kind, a, b) => {
    try {
      if (kind === "log" && typeof a === "string" && typeof b === "string") {
        if (logBytes > maxLogBytes) return;
        logBytes += b.length;
        send(
          logBytes > maxLogBytes
            ? { type: "log", level: "warn", text: "[console output truncated]" }
            : { type: "log", level: a, text: b },
        );
      } else if (kind === "fetch" && typeof a === "number" && typeof b === "string")
        send({ type: "fetch", id: a, request: b });
      else if (kind === "result") finish({ type: "result", json: typeof a === "string" ? a : undefined });
      else if (kind === "error") finish({ type: "error", kind: "code", message: typeof a === "string" ? a : "Error" });
    } catch {
      // The parent is gone; it kills this process anyway.
    }
  };
  const setup = new vm.Script(SETUP, { filename: "code-step-setup.js" }).runInContext(context);
  const { deliver, error } = setup(bridge, startKey, input, allowNetwork);
  process.on("message", (message) => {
    if (message?.type === "fetched") deliver(message.id, message.reply);
  });

  let script;
  try {
    script = new vm.Script(`globalThis[${JSON.stringify(startKey)}](async function (input) {\n${code}\n});`, {
      filename: "code-step.js",
      lineOffset: -1,
      // An error made inside the context: a host error would hand the code this realm's constructors.
      importModuleDynamically: () => {
        throw error("import() is not allowed in code steps");
      },
    });
  } catch (compileError) {
    finish({ type: "error", kind: "code", message: `${compileError.name}: ${compileError.message}` });
    return;
  }
  try {
    script.runInContext(context, { timeout: cpuMs });
  } catch (thrown) {
    if (thrown?.code === "ERR_SCRIPT_EXECUTION_TIMEOUT") finish({ type: "error", kind: "cpu" });
    else finish({ type: "error", kind: "code", message: "Error: the code left its function body" });
  }
}

process.once("message", (message) => {
  if (message?.type === "run") run(message);
});
send({ type: "ready" });
