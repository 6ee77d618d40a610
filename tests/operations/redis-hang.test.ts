import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZHealthReport } from "@shared/schemas/health.ts";
import { ZStreamToken } from "@shared/schemas/replay.ts";
import type { RunningServer } from "../../server/server.ts";
import { TEST_DATABASE_URL } from "../helpers/env.ts";
import { signUpOverHttp } from "../helpers/http-user.ts";
import { HAS_REDIS_SERVER, TestRedisServer, freePort } from "../helpers/redis-server.ts";
import { startTestServer } from "../helpers/server.ts";
import { ZTrpcError, trpcResult } from "../helpers/trpc-wire.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Counted, never asserted as a timing: a request that takes longer than this waited for the frozen Redis. */
const HANG_MS = 5000;

// Freezes a redis-server of its own; on the embedded pass (no real services) the fault tests do not run.
const SKIP = !TEST_DATABASE_URL
  ? "needs a PostgreSQL server (TEST_DATABASE_URL): fault tests run on the real-services pass"
  : !HAS_REDIS_SERVER
    ? "needs the redis-server binary to freeze a Redis of its own"
    : null;

type Kind = "session" | "trpc-session" | "api-key" | "ingest";
interface Answer {
  kind: Kind;
  status: number | "hung";
  frozen: boolean;
}

describe.skipIf(SKIP)(`A Redis that hangs${SKIP ? ` (${SKIP})` : ""}`, () => {
  let redis: TestRedisServer;
  let server: RunningServer;
  let user: { token: string; key: string; orgId: string };

  beforeAll(async () => {
    redis = new TestRedisServer(await freePort());
    await redis.start();
    server = await startTestServer({ env: { REDIS_URL: redis.url } });
    user = await signUpOverHttp(server.url, "redis-hang");
  });
  afterAll(async () => {
    redis?.thaw();
    await server?.shutdown();
    await redis?.stop();
  });

  const health = async () => ZHealthReport.parse(await (await fetch(`${server.url}/api/health`)).json());
  const trpc = (path: string, input: unknown) =>
    fetch(`${server.url}/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
      body: JSON.stringify(input),
    });
  const ingestRun = async (id: string) => {
    const now = new Date().toISOString();
    return fetch(`${server.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": user.key },
      body: JSON.stringify({
        items: [{ type: "run", id, name: "hang", status: "success", startedAt: now, endedAt: now }],
      }),
      signal: AbortSignal.timeout(HANG_MS),
    });
  };

  it("answers requests with a session or an API key while Redis is frozen, says degraded, and recovers on SIGCONT", async () => {
    expect(await health()).toMatchObject({ status: "ok", services: { redis: "ok" } });
    const answers: Answer[] = [];
    let frozen = false;
    let running = true;
    let n = 0;
    const request = (kind: Kind): Promise<Response> => {
      const signal = AbortSignal.timeout(HANG_MS);
      const bearer = { authorization: `Bearer ${user.token}` };
      if (kind === "session") return fetch(`${server.url}/api/keys`, { headers: bearer, signal });
      if (kind === "trpc-session") return fetch(`${server.url}/trpc/auth.me`, { headers: bearer, signal });
      if (kind === "api-key")
        return fetch(`${server.url}/api/v1/whoami`, { headers: { "x-api-key": user.key }, signal });
      return ingestRun(`hang-${Date.now()}-${n++}`);
    };
    const loop = async (kind: Kind) => {
      while (running) {
        const during = frozen;
        try {
          const res = await request(kind);
          await res.arrayBuffer();
          answers.push({ kind, status: res.status, frozen: during });
        } catch {
          answers.push({ kind, status: "hung", frozen: during });
        }
      }
    };
    const loops = (["session", "trpc-session", "api-key", "ingest"] as const).map(loop);

    await sleep(1000);
    redis.freeze();
    frozen = true;
    let healthDuring;
    try {
      await sleep(2000);
      healthDuring = await health();
      await sleep(7000);
    } finally {
      frozen = false;
      redis.thaw();
    }
    const deadline = Date.now() + 15_000;
    let healthAfter = await health();
    while (healthAfter.services.redis !== "ok" && Date.now() < deadline) {
      await sleep(250);
      healthAfter = await health();
    }
    await sleep(1000);
    running = false;
    await Promise.all(loops);

    const tally = (during: boolean) => {
      const counts: Record<string, number> = {};
      for (const a of answers.filter((a) => a.frozen === during)) {
        counts[`${a.kind} ${a.status}`] = (counts[`${a.kind} ${a.status}`] ?? 0) + 1;
      }
      return counts;
    };
    console.log("Redis frozen: requests by status", { frozen: tally(true), notFrozen: tally(false) });

    expect(healthDuring).toMatchObject({ status: "degraded", services: { redis: "degraded" } });
    expect(healthDuring?.details.redis).toMatch(/not answering/);
    expect(healthAfter).toMatchObject({ status: "ok", services: { redis: "ok" } });
    // Every request answered, and answered as it would be without Redis: nothing hung, nothing failed.
    expect(answers.filter((a) => a.status !== 200 && a.status !== 207)).toEqual([]);
    for (const kind of ["session", "trpc-session", "api-key", "ingest"] as const) {
      expect(answers.filter((a) => a.kind === kind && a.frozen).length).toBeGreaterThan(0);
    }
  }, 60_000);

  it("refuses stream tokens (503, Retry-After) while Redis is frozen, and a token issued before still works after", async () => {
    const runId = `hang-token-${Date.now()}`;
    expect((await ingestRun(runId)).status).toBe(207);
    const issued = await trpc("replays.token", { orgId: user.orgId, runId });
    const { token } = trpcResult(ZStreamToken).parse(await issued.json()).result.data;
    const start = () =>
      trpc("replays.start", { orgId: user.orgId, token, request: { mode: "workflow", runId, forkStep: "nope" } });

    redis.freeze();
    let issuing: Response;
    let redeeming: Response;
    let healthFrozen;
    try {
      // Health asks Redis itself (nothing else ran since the freeze); its PING timing out marks Redis as hung.
      healthFrozen = await health();
      issuing = await trpc("replays.token", { orgId: user.orgId, runId });
      redeeming = await start();
    } finally {
      redis.thaw();
    }
    expect(healthFrozen).toMatchObject({ status: "degraded", services: { redis: "degraded" } });
    for (const res of [issuing, redeeming]) {
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(ZTrpcError.parse(await res.json()).error).toMatchObject({
        message: "Replay tokens are unavailable while Redis is unreachable; try again shortly",
        data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503 },
      });
    }

    const deadline = Date.now() + 15_000;
    while ((await health()).services.redis !== "ok" && Date.now() < deadline) await sleep(250);
    // The token survived the outage unused: it is redeemed now (the run is not a workflow run, which is the refusal
    // that follows), and only once.
    const first = ZTrpcError.parse(await (await start()).json()).error;
    expect(first.data.code).not.toBe("UNAUTHORIZED");
    expect(first.data.code).not.toBe("SERVICE_UNAVAILABLE");
    expect(ZTrpcError.parse(await (await start()).json()).error.message).toBe(
      "The stream token is unknown or was already used; request a new one",
    );
  }, 60_000);
});
