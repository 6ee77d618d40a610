import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { rowsOf } from "../../server/infra/db.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backoffMs, claimJobs, enqueueForSlot, enqueueJob, jobStats } from "../../server/infra/durable-queue.ts";
import { JobWorker } from "../../server/infra/job-worker.ts";
import { createLogger } from "../../server/infra/logger.ts";
import { loadConfig } from "../../server/config.ts";
import type { RunningServer } from "../../server/server.ts";
import { testEnv } from "../helpers/env.ts";
import { startTestServer } from "../helpers/server.ts";
import { eventually } from "../helpers/smtp-server.ts";
import { z } from "zod";
import { ZJobKindStats, ZSyncHealth } from "@shared/schemas/health.ts";

// Kinds unique to this run: no other server on a shared test database has handlers for them.
const kind = (label: string) => `test.${label}.${randomBytes(4).toString("hex")}`;
const log = createLogger(loadConfig(testEnv()));

type Row = { status: string; attempts: number; locked_by: string | null; last_error: string | null; delay_ms: number };

describe("durable job queue", () => {
  let server: RunningServer;
  const db = () => server.deps.database.db;
  const row = async (id: number) => {
    const result = await db().execute<Row>(sql`
      select status, attempts, locked_by, last_error,
        (extract(epoch from (run_at - updated_at)) * 1000)::float8 as delay_ms
      from jobs where id = ${id}`);
    return rowsOf<Row>(result)[0]!;
  };

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.shutdown());

  it("runs every job exactly once with two competing workers", async () => {
    const k = kind("compete");
    const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => enqueueJob(db(), k, { n: i })));
    const ran: { job: number; worker: string }[] = [];
    const workers = ["worker-a", "worker-b"].map(
      (workerId) =>
        new JobWorker(db(), log, {
          workerId,
          leaseMs: 30_000,
          concurrency: 3,
          handlers: {
            [k]: async (job) => {
              ran.push({ job: job.id, worker: workerId });
              await new Promise((r) => setTimeout(r, 5));
            },
          },
        }),
    );
    await Promise.all(workers.map((w) => w.drain()));
    expect(ran.map((r) => r.job).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a! - b!));
    expect(new Set(ran.map((r) => r.worker)).size).toBe(2);
    const [stats] = (await jobStats(db())).filter((s) => s.kind === k);
    expect(stats).toMatchObject({ queued: 0, running: 0, failed: 0 });
    expect(stats?.lastSuccessAt).not.toBeNull();
  });

  it("retries a failing job with exponential back-off, then marks it failed", async () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n))).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(backoffMs(30)).toBe(600_000);

    const k = kind("fail");
    const id = (await enqueueJob(db(), k, {}, { maxAttempts: 3 }))!;
    const worker = new JobWorker(db(), log, {
      workerId: "flaky",
      leaseMs: 30_000,
      backoffBaseMs: 1_000,
      handlers: {
        [k]: () => Promise.reject(new Error("provider said no")),
      },
    });
    await worker.drain();
    const first = await row(id);
    expect(first).toMatchObject({ status: "pending", attempts: 1, last_error: "provider said no" });
    expect(Math.round(first.delay_ms / 100) * 100).toBe(1_000);
    // Bring the retry forward instead of waiting for it.
    await db().execute(sql`update jobs set run_at = now() where id = ${id}`);
    await worker.drain();
    expect(Math.round((await row(id)).delay_ms / 100) * 100).toBe(2_000);
    await db().execute(sql`update jobs set run_at = now() where id = ${id}`);
    await worker.drain();
    expect(await row(id)).toMatchObject({ status: "failed", attempts: 3 });
    const [stats] = (await jobStats(db())).filter((s) => s.kind === k);
    expect(stats).toMatchObject({ failed: 1, lastError: "provider said no" });
  });

  it("hands a job whose worker stopped renewing its lease to another worker", async () => {
    const k = kind("lease");
    const id = (await enqueueJob(db(), k))!;
    const [claimed] = await claimJobs(db(), { workerId: "gone", kinds: [k], limit: 1, leaseMs: 200 });
    expect(claimed?.id).toBe(id);
    // While the lease holds, nobody else gets it.
    expect(await claimJobs(db(), { workerId: "other", kinds: [k], limit: 1, leaseMs: 200 })).toEqual([]);
    const done: number[] = [];
    const worker = new JobWorker(db(), log, {
      workerId: "survivor",
      leaseMs: 30_000,
      handlers: { [k]: async (job) => void done.push(job.id) },
    });
    await eventually("the expired lease to be taken over", async () => (await worker.drain()) > 0);
    expect(done).toEqual([id]);
    expect(await row(id)).toMatchObject({ status: "completed", attempts: 2, locked_by: "survivor" });
  });

  it("gives up a job whose workers died in every attempt", async () => {
    const k = kind("doomed");
    const id = (await enqueueJob(db(), k, {}, { maxAttempts: 1 }))!;
    await claimJobs(db(), { workerId: "gone", kinds: [k], limit: 1, leaseMs: 1 });
    let ran = false;
    const worker = new JobWorker(db(), log, {
      workerId: "next",
      leaseMs: 30_000,
      handlers: { [k]: async () => void (ran = true) },
    });
    await eventually("the job to be given up", async () => {
      await worker.drain();
      return (await row(id)).status === "failed";
    });
    expect(ran).toBe(false);
  });

  it("enqueues a deduplicated job once while it is pending, and a periodic slot once across instances", async () => {
    const k = kind("dedupe");
    const first = await enqueueJob(db(), k, {}, { dedupeKey: "org-1" });
    expect(first).not.toBeNull();
    expect(await enqueueJob(db(), k, {}, { dedupeKey: "org-1" })).toBeNull();
    expect(await enqueueJob(db(), k, {}, { dedupeKey: "org-2" })).not.toBeNull();

    const slot = kind("slot");
    const now = Date.now();
    // Three instances ask at once for the same slot: one job.
    const created = await Promise.all([1, 2, 3].map(() => enqueueForSlot(db(), slot, 60_000, { now })));
    expect(created.filter((id) => id !== null)).toHaveLength(1);
    const worker = new JobWorker(db(), log, { workerId: "w", leaseMs: 30_000, handlers: { [slot]: async () => {} } });
    expect(await worker.drain()).toBe(1);
    // A late instance asking for the finished slot does not run it again; the next slot is new.
    expect(await enqueueForSlot(db(), slot, 60_000, { now })).toBeNull();
    expect(await enqueueForSlot(db(), slot, 60_000, { now: now + 60_000 })).not.toBeNull();
  });

  it("reports the queue per kind on /api/sync/health beside this instance's loops", async () => {
    const k = kind("health");
    await enqueueJob(db(), k, {}, { runAt: new Date(Date.now() + 3_600_000) });
    const res = await fetch(`${server.url}/api/sync/health`);
    expect(res.status).toBe(200);
    // Healthy (200), so the queue was read.
    const body = ZSyncHealth.extend({ queue: z.array(ZJobKindStats) }).parse(await res.json());
    expect(body.jobs.map((j) => j.name)).toEqual(
      expect.arrayContaining(["instance-heartbeat", "job-queue", "job-schedules"]),
    );
    expect(body.queue.find((q) => q.kind === k)).toMatchObject({ queued: 1, running: 0, failed: 0 });
    expect(body.queue.map((q) => q.kind)).toContain("conversation.summaries");
  });
});
