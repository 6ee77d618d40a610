import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { rowsOf } from "../../server/infra/db.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueJob } from "../../server/infra/durable-queue.ts";
import { JobWorker } from "../../server/infra/job-worker.ts";
import type { RunningServer } from "../../server/server.ts";
import { TEST_DATABASE_URL } from "../helpers/env.ts";
import { startTestServer } from "../helpers/server.ts";
import { eventually } from "../helpers/smtp-server.ts";

// Two processes on one database need a PostgreSQL server: an embedded database belongs to one process.
describe.skipIf(!TEST_DATABASE_URL)("a worker killed mid-job", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.shutdown());

  it("leaves its job to another worker once the lease runs out, and it runs to completion there", async () => {
    const kind = `test.crash.${randomBytes(4).toString("hex")}`;
    const db = server.deps.database.db;
    const id = (await enqueueJob(db, kind, { important: true }))!;
    const child = spawn(process.execPath, ["--import", "tsx", "tests/operations/fixtures/job-worker-process.ts"], {
      env: { PATH: process.env.PATH, DATABASE_URL: TEST_DATABASE_URL, JOB_KIND: kind, LEASE_MS: "1500" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await eventually(
      `the worker process to start job ${id} (output: ${out})`,
      () => out.includes(`started ${id}`),
      30_000,
    );
    child.kill("SIGKILL");
    await exited;

    const finished: number[] = [];
    const survivor = new JobWorker(db, server.deps.log, {
      workerId: "survivor",
      leaseMs: 30_000,
      handlers: { [kind]: async (job) => void finished.push(job.id) },
    });
    // Nothing to take while the dead worker's lease still holds; then it is taken over.
    await eventually("the dead worker's job to be taken over", async () => (await survivor.drain()) > 0, 20_000);
    expect(finished).toEqual([id]);
    type Row = { status: string; attempts: number; locked_by: string };
    const result = await db.execute<Row>(sql`select status, attempts, locked_by from jobs where id = ${id}`);
    const [row] = rowsOf<Row>(result);
    expect(row).toMatchObject({ status: "completed", attempts: 2, locked_by: "survivor" });
  });
});
