import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ZErrorBody } from "@shared/schemas/errors.ts";
import { TRPC_MAX_BATCH_CALLS } from "@shared/trpc-limits.ts";
import { OVERVIEW_CONCURRENCY } from "../server/modules/runs/router.ts";
import type { RunningServer } from "../server/server.ts";
import { createInnerContext } from "../server/trpc/context.ts";
import { createCallerFactory, publicProcedure, router } from "../server/trpc/init.ts";
import { type TestUser, callerFor, codeOf, createUser } from "./helpers/factories.ts";
import { TEST_DATABASE_URL } from "./helpers/env.ts";
import { startTestServer } from "./helpers/server.ts";
import { ZTrpcError } from "./helpers/trpc-wire.ts";

/** Behind a trusted proxy each test is its own client, so runs sharing one Redis never count together. */
function uniqueClient(): string {
  const octet = () => Math.floor(Math.random() * 256);
  return `10.${octet()}.${octet()}.${octet()}`;
}

/** One slot of a batch's answer: a result, or an error in the formatter's shape. */
const ZBatchAnswer = z.array(z.union([z.object({ result: z.unknown() }), ZTrpcError]));
const codesOf = (answer: z.infer<typeof ZBatchAnswer>) =>
  answer.map((slot) => ("error" in slot ? slot.error.data.code : "OK"));
function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

describe("tRPC batches", () => {
  let server: RunningServer;
  let owner: TestUser;
  beforeAll(async () => {
    server = await startTestServer({
      env: { RATE_LIMIT_MAX: "12", RATE_LIMIT_WINDOW_MS: "60000", TRUST_PROXY: "true" },
    });
    owner = await createUser(server.deps, "batches");
  });
  afterAll(() => server.shutdown());

  /** A GET batch of `n` calls of `path`; without an input, calls of a procedure that takes none. */
  const batchUrl = (n: number, path = "system.health", input?: unknown) => {
    const inputs = input === undefined ? {} : Object.fromEntries(Array.from({ length: n }, (_, i) => [i, input]));
    return `${server.url}/trpc/${Array(n).fill(path).join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`;
  };

  it(`refuses a batch of more than ${TRPC_MAX_BATCH_CALLS} calls with 400 and a readable reason, GET or POST`, async () => {
    const headers = { "x-forwarded-for": uniqueClient() };
    const get = await fetch(batchUrl(100), { headers });
    expect(get.status).toBe(400);
    expect(ZErrorBody.parse(await get.json()).message).toBe(
      `A batch may hold at most ${TRPC_MAX_BATCH_CALLS} calls; this one has 100. Send them in smaller batches.`,
    );
    const post = await fetch(`${server.url}/trpc/${Array(11).fill("orgs.create").join(",")}?batch=1`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({}),
    });
    expect(post.status).toBe(400);
    expect(ZErrorBody.parse(await post.json()).message).toMatch(/this one has 11/);
  });

  it("counts each call of a batch against the rate limit: the calls past it get TOO_MANY_REQUESTS", async () => {
    const headers = { "x-forwarded-for": uniqueClient() };
    // The limit is 12 calls a minute. A first batch of 10 uses 10 of them.
    const first = await fetch(batchUrl(TRPC_MAX_BATCH_CALLS), { headers });
    expect(first.status).toBe(200);
    expect(codesOf(ZBatchAnswer.parse(await first.json()))).toEqual(Array(TRPC_MAX_BATCH_CALLS).fill("OK"));
    // The second batch's request is the 11th call, its second call the 12th; the other 8 are refused one by one.
    const second = await fetch(batchUrl(TRPC_MAX_BATCH_CALLS), { headers });
    const codes = codesOf(ZBatchAnswer.parse(await second.json()));
    console.log("second batch of 10 at a limit of 12 calls:", tally(codes));
    expect(tally(codes)).toEqual({ OK: 2, TOO_MANY_REQUESTS: 8 });
    // And the limiter, which counted them, refuses the next request outright.
    expect((await fetch(batchUrl(1), { headers })).status).toBe(429);
  });

  it(`runs at most ${OVERVIEW_CONCURRENCY} overview queries of one organisation at once, on any instance`, async () => {
    const headers = { "x-forwarded-for": uniqueClient(), cookie: `echos_session=${owner.token}` };
    const overviewBatch = () =>
      fetch(batchUrl(TRPC_MAX_BATCH_CALLS, "runs.overview", { orgId: owner.orgId, range: "30d" }), { headers });
    // Two overview queries "running" (their places in the shared store taken, as another instance would): every
    // further one is refused until a place is free.
    const running = `running:overview:${owner.orgId}`;
    const holders = [`${Date.now()}:held-1`, `${Date.now()}:held-2`];
    for (const h of holders) await server.deps.store.setAdd(running, h, 60_000);
    const refused = codesOf(ZBatchAnswer.parse(await (await overviewBatch()).json()));
    expect(tally(refused)).toEqual({ TOO_MANY_REQUESTS: TRPC_MAX_BATCH_CALLS });
    for (const h of holders) await server.deps.store.setRemove(running, h);
    const single = await codeOf(callerFor(server.deps, owner).runs.overview({ orgId: owner.orgId, range: "30d" }));
    expect(single).toBe("OK");
  });
});

describe("a batch of heavy calls from one organisation and another organisation's request", () => {
  let server: RunningServer;
  let heavy: TestUser;
  let other: TestUser;
  beforeAll(async () => {
    server = await startTestServer();
    [heavy, other] = await Promise.all([createUser(server.deps, "heavy"), createUser(server.deps, "other")]);
  });
  afterAll(() => server.shutdown());

  it("answers every heavy call with a result or TOO_MANY_REQUESTS, and the other organisation's request at once", async () => {
    const inputs = Object.fromEntries(
      Array.from({ length: TRPC_MAX_BATCH_CALLS }, (_, i) => [i, { orgId: heavy.orgId, range: "30d" }]),
    );
    const url = `${server.url}/trpc/${Array(TRPC_MAX_BATCH_CALLS).fill("runs.overview").join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`;
    const started = performance.now();
    const batch = fetch(url, { headers: { cookie: `echos_session=${heavy.token}` } }).then(async (res) => ({
      codes: codesOf(ZBatchAnswer.parse(await res.json())),
      ms: performance.now() - started,
    }));
    const otherStarted = performance.now();
    const otherRes = await fetch(
      `${server.url}/trpc/runs.list?input=${encodeURIComponent(JSON.stringify({ orgId: other.orgId }))}`,
      { headers: { cookie: `echos_session=${other.token}` } },
    );
    const otherMs = performance.now() - otherStarted;
    const { codes, ms } = await batch;
    console.log(
      `batch of ${TRPC_MAX_BATCH_CALLS} runs.overview (30d): ${JSON.stringify(tally(codes))} in ${ms.toFixed(0)} ms; ` +
        `the other organisation's runs.list meanwhile: ${otherRes.status} in ${otherMs.toFixed(0)} ms`,
    );
    expect(otherRes.status).toBe(200);
    expect(codes.every((c) => c === "OK" || c === "TOO_MANY_REQUESTS")).toBe(true);
    expect(codes.filter((c) => c === "OK").length).toBeGreaterThan(0);
  });
});

describe.skipIf(!TEST_DATABASE_URL)("the statement timeout (needs a PostgreSQL server)", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({
      env: { DATABASE_STATEMENT_TIMEOUT_MS: "300" },
      extend(app) {
        app.get("/api/test/slow-query", async () => {
          await server.deps.database.db.execute(sql`select pg_sleep(3)`);
          return { ok: true };
        });
      },
    });
  });
  afterAll(() => server.shutdown());

  it("stops a statement past it and answers REST with 503, Retry-After and a readable reason", async () => {
    const res = await fetch(`${server.url}/api/test/slow-query`);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(ZErrorBody.parse(await res.json()).message).toMatch(/took too long and was stopped/);
  });

  it("answers a tRPC procedure's timed-out statement with SERVICE_UNAVAILABLE and the same reason", async () => {
    const slow = router({
      slow: publicProcedure.query(async ({ ctx }) => {
        await ctx.deps.database.db.execute(sql`select pg_sleep(3)`);
        return "never";
      }),
    });
    const caller = createCallerFactory(slow)(createInnerContext(server.deps));
    expect(await codeOf(caller.slow())).toMatch(/^SERVICE_UNAVAILABLE: The query took too long and was stopped/);
  });
});
