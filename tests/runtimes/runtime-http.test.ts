import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SseEvent, openSse } from "../../bench/lib/sse.ts";
import { RuntimeJobError, runOnConnectedRuntime } from "../../server/modules/runtimes/service.ts";
import type { RunningServer } from "../../server/server.ts";
import { EchosRuntime, type RuntimeConnectionStatus } from "../../sdk/index.ts";
import { type TestUser, callerFor, createUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { ZErrorBody } from "@shared/schemas/errors.ts";

const call = (tool: string) => ({ tool, args: { n: 1 }, stepId: `step-${tool}`, runId: "run-http" });

/** A runtime speaking the protocol by hand: the stream, and the events it has received. */
async function rawRuntime(url: string, key: string, tools: string[]) {
  const events: SseEvent[] = [];
  const query = new URLSearchParams([["name", "raw"], ...tools.map((t): [string, string] => ["tool", t])]);
  const connection = await openSse(`${url}/api/v1/runtimes/connect?${query.toString()}`, { "x-api-key": key }, (e) =>
    events.push(e),
  );
  const next = async (event: string) => {
    for (;;) {
      const found = events.find((e) => e.event === event);
      if (found) {
        events.splice(events.indexOf(found), 1);
        return JSON.parse(found.data) as Record<string, unknown>;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { connection, next };
}

describe("runtime connections over HTTP", () => {
  let server: RunningServer;
  let owner: TestUser;
  let fullKey: string;
  let ingestKey: string;
  let otherOrgKey: string;

  beforeAll(async () => {
    server = await startTestServer({ env: { RATE_LIMIT_MAX: "100000" } });
    owner = await createUser(server.deps, "http-runtime");
    const keys = callerFor(server.deps, owner).apiKeys;
    fullKey = (await keys.create({ orgId: owner.orgId, name: "full", scope: "full" })).key;
    ingestKey = (await keys.create({ orgId: owner.orgId, name: "ingest", scope: "ingest" })).key;
    const other = await createUser(server.deps, "http-other");
    otherOrgKey = (await callerFor(server.deps, other).apiKeys.create({ orgId: other.orgId, name: "o", scope: "full" }))
      .key;
  });
  afterAll(() => server.shutdown());

  const connect = (headers: Record<string, string>, query = "tool=echo") =>
    fetch(`${server.url}/api/v1/runtimes/connect?${query.toString()}`, { headers });

  it("refuses a connection without a key with 401 and an ingest-only key with 403, saying why", async () => {
    const anonymous = await connect({});
    expect(anonymous.status).toBe(401);
    expect(ZErrorBody.parse(await anonymous.json()).message).toMatch(/Missing API key/);
    const ingest = await connect({ "x-api-key": ingestKey });
    expect(ingest.status).toBe(403);
    expect(ZErrorBody.parse(await ingest.json()).message).toBe(
      "This API key is ingest-only and cannot connect a runtime; create a full key for runtimes",
    );
  });

  it("rejects runtime.connect() with the server's reason when the key is ingest-only", async () => {
    const runtime = new EchosRuntime({ apiKey: ingestKey, apiUrl: server.url, tools: { echo: () => 1 } });
    await expect(runtime.connect()).rejects.toThrow(/HTTP 403: This API key is ingest-only/);
  });

  it("answers a malformed tool list with 400 and a readable reason", async () => {
    const tooMany = Array.from({ length: 101 }, (_, i) => `tool=t${i}`).join("&");
    const res = await connect({ authorization: `Bearer ${fullKey}` }, tooMany);
    expect(res.status).toBe(400);
    expect(ZErrorBody.parse(await res.json()).message).toMatch(/at most 100 tools/);
  });

  it("lists a connection through runtimes.list and accepts its result only from the job's organisation", async () => {
    const runtime = await rawRuntime(server.url, fullKey, ["lookup_order"]);
    try {
      const listed = await callerFor(server.deps, owner).runtimes.list({ orgId: owner.orgId });
      expect(listed).toEqual([expect.objectContaining({ name: "raw", tools: ["lookup_order"], sdkVersion: null })]);

      const pending = runOnConnectedRuntime(server.deps, owner.orgId, call("lookup_order"));
      const job = await runtime.next("job");
      expect(job).toMatchObject({
        tool: "lookup_order",
        args: { n: 1 },
        stepId: "step-lookup_order",
        runId: "run-http",
      });
      const post = (key: string, body: unknown) =>
        fetch(`${server.url}/api/v1/runtimes/jobs/${String(job.jobId)}/result`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": key },
          body: JSON.stringify(body),
        });
      expect((await post(otherOrgKey, { ok: true, output: "forged" })).status).toBe(404);
      expect((await post(ingestKey, { ok: true, output: "forged" })).status).toBe(403);
      const malformed = await post(fullKey, { ok: "yes" });
      expect(malformed.status).toBe(400);
      expect((await post(fullKey, { ok: true, output: { status: "shipped" } })).status).toBe(202);
      expect(await pending).toEqual({ status: "shipped" });
      // The wait is over: a late or repeated answer finds no job.
      expect((await post(fullKey, { ok: true, output: "again" })).status).toBe(404);
    } finally {
      runtime.connection.close();
    }
  });

  it("tells the runtime to stop a job that timed out", async () => {
    const runtime = await rawRuntime(server.url, fullKey, ["slow_report"]);
    try {
      const pending = runOnConnectedRuntime(server.deps, owner.orgId, call("slow_report"), undefined, {
        timeoutMs: 300,
      });
      const job = await runtime.next("job");
      await expect(pending).rejects.toThrow('The tool "slow_report" did not finish within 300 ms');
      expect(await runtime.next("cancel")).toEqual({ jobId: job.jobId, reason: expect.stringMatching(/300 ms/) });
    } finally {
      runtime.connection.close();
    }
  });

  it("aborts the tool's signal in the SDK runtime when the caller cancels the step", async () => {
    let sawAbort!: (reason: string) => void;
    const aborted = new Promise<string>((resolve) => (sawAbort = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const runtime = new EchosRuntime({
      apiKey: fullKey,
      apiUrl: server.url,
      tools: {
        wait_for_approval: (_args, { signal }) =>
          new Promise((_resolve, reject) => {
            started();
            signal.addEventListener("abort", () => {
              sawAbort((signal.reason as Error).message);
              reject(signal.reason as Error);
            });
          }),
      },
    });
    const connection = await runtime.connect({ name: "sdk-in-test" });
    try {
      const controller = new AbortController();
      const pending = runOnConnectedRuntime(server.deps, owner.orgId, call("wait_for_approval"), controller.signal);
      await running;
      controller.abort();
      await expect(pending).rejects.toSatisfy((e) => e instanceof RuntimeJobError && e.reason === "cancelled");
      expect(await aborted).toBe('The tool "wait_for_approval" was cancelled');
    } finally {
      await connection.close();
      await runtime.flush();
    }
  });

  it("fails the step with a reason when the tool's output is larger than the server accepts", async () => {
    const runtime = new EchosRuntime({
      apiKey: fullKey,
      apiUrl: server.url,
      tools: { export_all: () => "x".repeat(2 * 1024 * 1024) },
      onError: () => {},
    });
    const connection = await runtime.connect({ name: "big-output" });
    try {
      await expect(runOnConnectedRuntime(server.deps, owner.orgId, call("export_all"))).rejects.toThrow(
        /output was too large to send to Echos \(HTTP 413/,
      );
    } finally {
      await connection.close();
      await runtime.flush();
    }
  });

  it("stops reconnecting, and says why, once its key has been revoked", async () => {
    const created = await callerFor(server.deps, owner).apiKeys.create({
      orgId: owner.orgId,
      name: "revocable",
      scope: "full",
    });
    const statuses: RuntimeConnectionStatus[] = [];
    const runtime = new EchosRuntime({ apiKey: created.key, apiUrl: server.url, tools: { echo: () => 1 } });
    const connection = await runtime.connect({ name: "revocable", onStatus: (s) => statuses.push(s) });
    await callerFor(server.deps, owner).apiKeys.revoke({ orgId: owner.orgId, keyId: created.id });
    server.app.server.closeAllConnections();
    await connection.closed;
    expect(statuses.at(-1)).toEqual({
      state: "closed",
      error: "Echos refused the runtime connection: HTTP 401: This API key has been revoked",
    });
  });

  // Last: it stops this file's server.
  it("ends runtime streams when the server shuts down, so runtimes move to another instance", async () => {
    const statuses: RuntimeConnectionStatus[] = [];
    let dropped!: () => void;
    const disconnected = new Promise<void>((resolve) => (dropped = resolve));
    const runtime = new EchosRuntime({ apiKey: fullKey, apiUrl: server.url, tools: { echo: () => 1 } });
    const connection = await runtime.connect({
      name: "draining",
      onStatus: (s) => {
        statuses.push(s);
        if (s.state === "disconnected") dropped();
      },
    });
    try {
      await Promise.all([server.shutdown(), disconnected]);
      expect(statuses[0]).toMatchObject({ state: "connected" });
      expect(connection.connectionId).toBeNull();
    } finally {
      await connection.close();
    }
    expect(statuses.at(-1)).toEqual({ state: "closed", error: undefined });
  });
});
