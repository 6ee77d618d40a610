import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pgSchema, serial } from "drizzle-orm/pg-core";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, migrationsFolder } from "../server/infra/db.ts";
import { TEST_DATABASE_URL } from "./helpers/env.ts";
import { startTestServer } from "./helpers/server.ts";

/** drizzle's own bookkeeping table. */
const appliedMigrations = pgSchema("drizzle").table("__drizzle_migrations", { id: serial("id").primaryKey() });
const journal = JSON.parse(readFileSync(join(migrationsFolder(), "meta/_journal.json"), "utf8")) as {
  entries: unknown[];
};

// Concurrent starters only exist with a PostgreSQL server; PGlite lives inside one process.
describe.skipIf(!TEST_DATABASE_URL)("migrations on PostgreSQL", () => {
  const admin = postgres(TEST_DATABASE_URL ?? "", { max: 1, onnotice: () => {} });
  const dbName = `echos_migrate_${process.pid}_${Date.now()}`;
  const url = (() => {
    const u = new URL(TEST_DATABASE_URL ?? "postgres://localhost/x");
    u.pathname = `/${dbName}`;
    return u.toString();
  })();

  beforeAll(async () => {
    await admin.unsafe(`create database "${dbName}"`);
  });
  afterAll(async () => {
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
  });

  it("waits for the advisory lock held by another starter before migrating", async () => {
    const holder = postgres(url, { max: 1, onnotice: () => {} });
    const database = await createDatabase({ database: { url, ssl: false, poolMax: 2 } });
    try {
      await holder`select pg_advisory_lock(${0x4543484f})`;
      let finished = false;
      const migrating = database.migrate().then(() => (finished = true));
      await new Promise((r) => setTimeout(r, 500));
      expect(finished).toBe(false);
      const [row] = await holder<
        { exists: boolean }[]
      >`select to_regclass('public.server_instances') is not null as exists`;
      expect(row?.exists).toBe(false);
      await holder`select pg_advisory_unlock(${0x4543484f})`;
      await migrating;
      expect(finished).toBe(true);
    } finally {
      await holder.end();
      await database.close();
    }
  });

  it("lets two servers start together on a fresh database and applies each migration once", async () => {
    // Back to an empty database: the previous test migrated it.
    await admin.unsafe(`drop database "${dbName}" with (force)`);
    await admin.unsafe(`create database "${dbName}"`);
    const fresh = postgres(url, { max: 1, onnotice: () => {} });
    const env = { DATABASE_URL: url };
    const [a, b] = await Promise.all([startTestServer({ env }), startTestServer({ env })]);
    try {
      for (const s of [a, b]) expect((await fetch(`${s.url}/api/health/ready`)).status).toBe(200);
      const applied = await fresh`select count(*)::int as n from drizzle.__drizzle_migrations`;
      expect(applied[0]?.n).toBe(journal.entries.length);
    } finally {
      await Promise.all([a.shutdown(), b.shutdown()]);
      await fresh.end();
    }
  });
});

describe("migrations on the embedded database", () => {
  it("applies every migration and is a no-op the second time", async () => {
    const database = await createDatabase({ database: { embedded: true, dir: null } });
    try {
      await database.migrate();
      await database.migrate();
      expect(await database.db.$count(appliedMigrations)).toBe(journal.entries.length);
    } finally {
      await database.close();
    }
  });
});
