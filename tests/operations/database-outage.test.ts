import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs, spans } from "../../db/schema.ts";
import { ZErrorBody } from "@shared/schemas/errors.ts";
import { ZHealthReport, ZProcessLiveness, ZReadiness } from "@shared/schemas/health.ts";
import { createDatabase } from "../../server/infra/db.ts";
import { BUILD_TIMEOUT_MS, builtDist } from "../helpers/dist.ts";
import { TEST_DATABASE_URL } from "../helpers/env.ts";
import { signUpOverHttp } from "../helpers/http-user.ts";
import { PRIVATE_POSTGRES_SKIP_REASON, PrivatePostgres } from "../helpers/private-postgres.ts";
import { type SpawnedServer, spawnServer } from "../helpers/spawn-server.ts";
import { ZTrpcError } from "../helpers/trpc-wire.ts";
import { EchosClient, type EchosDropEvent } from "../../sdk/index.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A request still unanswered after this long is counted as hung (a hang detector, not a timing assertion). */
const HANG_MS = 15_000;

// The fault tests stop a PostgreSQL of their own; on the embedded pass (no real services) they do not run.
const SKIP = !TEST_DATABASE_URL
  ? "needs a PostgreSQL server (TEST_DATABASE_URL): fault tests run on the real-services pass"
  : PRIVATE_POSTGRES_SKIP_REASON;

type Kind = "ingest" | "otlp" | "read" | "trpc";
interface Answer {
  kind: Kind;
  status: number | "hung" | "refused";
  phase: "before" | "outage" | "after" | "recovered";
  retryAfter: string | null;
  body: string;
  ms: number;
}

/** Runs request loops against the server until stopped, keeping every answer and the runs each 2xx acknowledged. */
class Load {
  readonly answers: Answer[] = [];
  readonly acknowledged: string[] = [];
  phase: Answer["phase"] = "before";
  private running = true;
  private readonly loops: Promise<void>[] = [];
  private n = 0;

  constructor(
    private readonly url: string,
    private readonly user: { key: string; token: string; orgId: string },
    private readonly prefix: string,
  ) {
    for (const kind of ["ingest", "ingest", "ingest", "otlp", "read", "trpc"] as const)
      this.loops.push(this.loop(kind));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Answers by kind and status, and the slowest answer's time (printed for the record, never asserted). */
  tally(phase: Answer["phase"]): Record<string, number> {
    const counts: Record<string, number> = {};
    const answers = this.answers.filter((a) => a.phase === phase);
    for (const a of answers) {
      const key = `${a.kind} ${a.status}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return { ...counts, slowestMs: Math.max(0, ...answers.map((a) => a.ms)) };
  }

  private async loop(kind: Kind): Promise<void> {
    while (this.running) {
      const phase = this.phase;
      const runId = `${this.prefix}-${this.n++}`;
      const started = Date.now();
      try {
        const res = await this.request(kind, runId);
        const body = await res.text();
        const ms = Date.now() - started;
        this.answers.push({ kind, status: res.status, phase, retryAfter: res.headers.get("retry-after"), body, ms });
        if (kind === "ingest" && res.status === 207) this.acknowledged.push(runId);
      } catch (error) {
        const hung = (error as Error).name === "TimeoutError";
        const status = hung ? "hung" : "refused";
        this.answers.push({ kind, status, phase, retryAfter: null, body: String(error), ms: Date.now() - started });
        if (!hung) await sleep(100); // the process is gone: do not spin
      }
    }
  }

  private request(kind: Kind, runId: string): Promise<Response> {
    const signal = AbortSignal.timeout(HANG_MS);
    const now = new Date().toISOString();
    const json = { "content-type": "application/json" };
    if (kind === "ingest") {
      const items = [
        { type: "run", id: runId, name: "outage", status: "success", startedAt: now, endedAt: now },
        { type: "span", id: `${runId}-s`, runId, name: "step", status: "success", startedAt: now, endedAt: now },
      ];
      return fetch(`${this.url}/api/v1/ingest`, {
        method: "POST",
        headers: { ...json, "x-api-key": this.user.key },
        body: JSON.stringify({ items }),
        signal,
      });
    }
    if (kind === "otlp") {
      const span = {
        traceId: randomBytes(16).toString("hex"),
        spanId: randomBytes(8).toString("hex"),
        name: "otlp",
        startTimeUnixNano: String(Date.now() * 1e6),
        endTimeUnixNano: String(Date.now() * 1e6),
      };
      return fetch(`${this.url}/v1/traces`, {
        method: "POST",
        headers: { ...json, "x-api-key": this.user.key },
        body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }),
        signal,
      });
    }
    if (kind === "read") {
      return fetch(`${this.url}/api/keys`, { headers: { authorization: `Bearer ${this.user.token}` }, signal });
    }
    const input = encodeURIComponent(JSON.stringify({ orgId: this.user.orgId, limit: 20 }));
    return fetch(`${this.url}/trpc/runs.list?input=${input}`, {
      headers: { cookie: `echos_session=${this.user.token}` },
      signal,
    });
  }
}

async function health(url: string) {
  const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(HANG_MS) });
  return { status: res.status, report: ZHealthReport.parse(await res.json()) };
}
async function readiness(url: string) {
  const res = await fetch(`${url}/api/health/ready`, { signal: AbortSignal.timeout(HANG_MS) });
  return { status: res.status, body: ZReadiness.parse(await res.json()) };
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await sleep(250);
  }
  return false;
}

describe.skipIf(SKIP)(`PostgreSQL going away under load${SKIP ? ` (${SKIP})` : ""}`, () => {
  let distDir: string;
  let pg: PrivatePostgres;
  beforeAll(async () => {
    [distDir, pg] = await Promise.all([builtDist(), PrivatePostgres.create()]);
  }, BUILD_TIMEOUT_MS);
  afterAll(() => pg?.destroy());

  for (const mode of ["immediate", "fast"] as const) {
    it(`stays up, answers 503 with Retry-After during a stop (${mode}), recovers by itself and loses nothing acknowledged`, async () => {
      let server: SpawnedServer | undefined;
      try {
        server = await spawnServer([join(distDir, "index.js")], {
          NODE_ENV: "test",
          LOG_LEVEL: "warn",
          DATABASE_URL: pg.url,
        });
        const user = await signUpOverHttp(server.url, `outage-${mode}`);
        const load = new Load(server.url, user, `outage-${mode}-${Date.now()}`);

        await sleep(2000);
        load.phase = "outage";
        await pg.stop(mode);
        await sleep(1500);
        const down = await health(server.url);
        const notReady = await readiness(server.url);
        const live = await fetch(`${server.url}/api/health/live`, { signal: AbortSignal.timeout(HANG_MS) });
        await sleep(8500);
        await pg.start();
        load.phase = "after";
        // Recovered by itself: readiness and a real write succeed again without a restart.
        const recovered = await eventually(
          async () =>
            (await readiness(server!.url)).status === 200 &&
            load.answers.some((a) => a.phase === "after" && a.kind === "ingest" && a.status === 207),
          20_000,
        );
        // A connection attempt the pool began while PostgreSQL was still starting up may yet be refused (57P03) and
        // its request answered 503; from a second on, every request must succeed.
        await sleep(1000);
        load.phase = "recovered";
        await sleep(3000);
        await load.stop();
        const up = await health(server.url);

        const statuses = load.answers.map((a) => a.status);
        const driverFaults = server.output().split("replacing the connection pool").length - 1;
        console.log(`stop -m ${mode}: driver null-socket writes survived: ${driverFaults}`);
        console.log(`stop -m ${mode}: requests by status`, {
          before: load.tally("before"),
          outage: load.tally("outage"),
          after: load.tally("after"),
          recovered: load.tally("recovered"),
        });

        expect(server.child.exitCode, server.output()).toBeNull();
        // The outage is logged as a warning (one per 30 s, with a count), never as a failed request with its SQL.
        const warnings = server.output().split("Database unavailable; answering 503").length - 1;
        console.log(`stop -m ${mode}: outage warnings logged: ${warnings}`);
        expect(warnings).toBeGreaterThan(0);
        expect(warnings).toBeLessThanOrEqual(2);
        expect(server.output()).not.toMatch(/Request failed|tRPC procedure failed|insert into/);
        expect(statuses.filter((s) => s === "refused" || s === "hung" || s === 500)).toEqual([]);
        expect(down).toMatchObject({ status: 503, report: { services: { database: "error" } } });
        expect(notReady).toMatchObject({ status: 503, body: { status: "not_ready" } });
        // The process itself is alive: an orchestrator must not restart it for the database's outage.
        expect(live.status).toBe(200);
        expect(ZProcessLiveness.parse(await live.json()).status).toBe("alive");
        expect(recovered).toBe(true);
        expect(up).toMatchObject({ status: 200, report: { services: { database: "ok" } } });

        // Refusals during the outage are 503s that say why and when to come back, on REST, OTLP and tRPC.
        const refused = load.answers.filter((a) => a.status === 503);
        expect(refused.length).toBeGreaterThan(0);
        for (const a of refused) {
          expect(a.retryAfter).toBe("5");
          // A procedure answers in tRPC's shape; a session lookup that failed before it, in the REST one.
          const json: unknown = JSON.parse(a.body);
          if (a.kind === "trpc" && ZTrpcError.safeParse(json).success) {
            expect(ZTrpcError.parse(json).error).toMatchObject({
              message: "The database is unavailable; try again shortly",
              data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503 },
            });
          } else {
            expect(ZErrorBody.parse(json)).toMatchObject({
              statusCode: 503,
              error: "Service Unavailable",
              message: "The database is unavailable; try again shortly",
            });
          }
        }
        expect(statuses.filter((s) => s !== 200 && s !== 207 && s !== 503)).toEqual([]);
        // Once it answered again, every connection of the pool works: nothing is refused any more.
        const afterRecovery = load.answers.filter((a) => a.phase === "recovered");
        expect(afterRecovery.length).toBeGreaterThan(0);
        expect(afterRecovery.filter((a) => a.status !== 200 && a.status !== 207)).toEqual([]);

        // Every run an ingest answer acknowledged is stored, with its span.
        const check = await createDatabase({ database: { url: pg.url, ssl: false, poolMax: 2 } });
        try {
          const storedRuns = new Set<string>();
          const storedSpans = new Set<string>();
          for (let i = 0; i < load.acknowledged.length; i += 1000) {
            const ids = load.acknowledged.slice(i, i + 1000);
            const where = (t: typeof runs | typeof spans) => and(eq(t.orgId, user.orgId), inArray(t.id, ids));
            for (const r of await check.db.select({ id: runs.id }).from(runs).where(where(runs))) storedRuns.add(r.id);
            const spanIds = ids.map((id) => `${id}-s`);
            const rows = await check.db
              .select({ id: spans.id })
              .from(spans)
              .where(and(eq(spans.orgId, user.orgId), inArray(spans.id, spanIds)));
            for (const s of rows) storedSpans.add(s.id);
          }
          console.log(
            `stop -m ${mode}: acknowledged ${load.acknowledged.length}, stored runs ${storedRuns.size}, spans ${storedSpans.size}`,
          );
          expect(load.acknowledged.filter((id) => !storedRuns.has(id) || !storedSpans.has(`${id}-s`))).toEqual([]);
        } finally {
          await check.close();
        }
      } finally {
        await server?.stop();
        await pg.start().catch(() => {});
      }
    }, 120_000);
  }

  it("the SDK rides out a 15 s database stop with its defaults: everything produced meanwhile arrives, start before end", async () => {
    let server: SpawnedServer | undefined;
    const drops: EchosDropEvent[] = [];
    const errors: string[] = [];
    try {
      server = await spawnServer([join(distDir, "index.js")], {
        NODE_ENV: "test",
        LOG_LEVEL: "warn",
        DATABASE_URL: pg.url,
      });
      const user = await signUpOverHttp(server.url, "outage-sdk");
      // The defaults, but for a faster background flush: retries, backoff and queue bounds are the SDK's own.
      const client = new EchosClient({
        apiKey: user.key,
        apiUrl: server.url,
        flushIntervalMs: 200,
        onDrop: (event) => drops.push(event),
        onError: (error) => errors.push(error.message),
      });
      const prefix = `outage-sdk-${Date.now()}`;
      let produced = 0;
      let running = true;
      // An agent that keeps working: a run with a span started, then ended, every 50 ms.
      const agent = (async () => {
        while (running) {
          const runId = `${prefix}-${produced++}`;
          const at = new Date().toISOString();
          client.enqueue({ type: "run", id: runId, name: "sdk outage", status: "success", startedAt: at, endedAt: at });
          client.enqueue({
            type: "span",
            id: `${runId}-s`,
            runId,
            name: "step",
            kind: "tool",
            status: "running",
            startedAt: at,
          });
          await sleep(25);
          const end = new Date().toISOString();
          client.enqueue({
            type: "span",
            id: `${runId}-s`,
            runId,
            name: "step",
            kind: "tool",
            status: "success",
            startedAt: at,
            endedAt: end,
          });
          await sleep(25);
        }
      })();
      await sleep(1000);
      await pg.stop("immediate");
      // Longer than the 6 attempts (~4–8 s) the SDK used to try before dropping a batch.
      await sleep(15_000);
      await pg.start();
      await sleep(1000);
      running = false;
      await agent;
      const delivered = await client.flush(60_000);
      const stats = await client.shutdown();
      console.log(`SDK through a 15 s database stop: produced ${produced} runs`, stats);

      expect(delivered).toBe(true);
      expect(drops).toEqual([]);
      expect(stats).toMatchObject({ dropped: 0, queued: 0, sent: produced * 3 });
      expect(stats.retries).toBeGreaterThan(0); // the outage was felt
      const check = await createDatabase({ database: { url: pg.url, ssl: false, poolMax: 2 } });
      try {
        const stored = await check.db
          .select({ id: spans.id, status: spans.status, endedAt: spans.endedAt })
          .from(spans)
          .where(and(eq(spans.orgId, user.orgId)));
        const storedRuns = await check.db.select({ id: runs.id }).from(runs).where(eq(runs.orgId, user.orgId));
        expect(storedRuns).toHaveLength(produced);
        expect(stored).toHaveLength(produced);
        // Each span's end arrived after its start: none is left running.
        expect(stored.filter((s) => s.status !== "success" || s.endedAt === null)).toEqual([]);
      } finally {
        await check.close();
      }
    } finally {
      await server?.stop();
      await pg.start().catch(() => {});
    }
  }, 150_000);
});
