import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, eq, like } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { runs, spans } from "../../db/schema.ts";
import { createDatabase } from "../../server/infra/db.ts";
import { EchosClient, span, trace } from "../../sdk/index.ts";
import { BUILD_TIMEOUT_MS, builtDist } from "../helpers/dist.ts";
import { TEST_DATABASE_URL } from "../helpers/env.ts";
import { signUpOverHttp } from "../helpers/http-user.ts";
import { freePort } from "../helpers/redis-server.ts";
import { spawnServer } from "../helpers/spawn-server.ts";

describe("durability across a server crash", () => {
  let distDir: string;
  beforeAll(async () => {
    distDir = await builtDist();
  }, BUILD_TIMEOUT_MS);

  // Starts the built server twice, one boot after the other: on a busy machine more than the default 30 s.
  it("keeps every acknowledged item, and the SDK's retries after the crash add no duplicates", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "echos-durable-"));
    const port = await freePort();
    const env = {
      NODE_ENV: "test",
      LOG_LEVEL: "error",
      PORT: String(port),
      ...(TEST_DATABASE_URL ? { DATABASE_URL: TEST_DATABASE_URL } : { ECHOS_DATA_DIR: dataDir }),
    };
    const bundle = join(distDir, "index.js");
    let server = await spawnServer([bundle], env, { port });
    const { key, orgId } = await signUpOverHttp(server.url, "durable");
    const client = new EchosClient({ apiKey: key, apiUrl: server.url, flushIntervalMs: 60_000, maxAttempts: 40 });
    const prefix = `durable-${Date.now()}`;

    // Batch 1 is acknowledged, then the process dies without any chance to clean up.
    await trace(`${prefix}-1`, async () => span("before crash", async () => "ok"), { client });
    await client.flush();
    expect(client.stats()).toMatchObject({ sent: 4, failed: 0 });
    server.child.kill("SIGKILL");
    await server.exited;

    // Batch 2 is sent while the server is down; the client retries until it is back.
    await trace(
      `${prefix}-2`,
      async () => {
        await span("after crash a", async () => 1);
        await span("after crash b", async () => 2);
      },
      { client },
    );
    const flushing = client.flush();
    await new Promise((r) => setTimeout(r, 800));
    server = await spawnServer([bundle], env, { port });
    await flushing;
    expect(client.stats()).toMatchObject({ sent: 10, failed: 0, dropped: 0 });
    server.child.kill("SIGTERM");
    await server.exited;

    const database = await createDatabase({
      database: TEST_DATABASE_URL
        ? { url: TEST_DATABASE_URL, ssl: false, poolMax: 2 }
        : { embedded: true, dir: join(dataDir, "pglite") },
    });
    try {
      const stored = await database.db
        .select()
        .from(runs)
        .where(and(eq(runs.orgId, orgId), like(runs.name, `${prefix}%`)));
      expect(stored.map((r) => [r.name, r.status]).sort()).toEqual([
        [`${prefix}-1`, "success"],
        [`${prefix}-2`, "success"],
      ]);
      const storedSpans = await database.db.select().from(spans).where(eq(spans.orgId, orgId));
      expect(storedSpans.map((s) => s.name).sort()).toEqual(["after crash a", "after crash b", "before crash"]);
      expect(storedSpans.every((s) => s.status === "success")).toBe(true);
    } finally {
      await database.close();
    }
  }, 90_000);
});
