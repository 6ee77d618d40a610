import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "../../db/schema.ts";
import type { Config } from "../config.ts";

export type Schema = typeof schema;
/** The drizzle database, whichever driver is underneath (postgres.js or PGlite). */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

/** The rows of a raw `db.execute` result: postgres.js returns the rows themselves, PGlite wraps them in `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);
}

export interface Database {
  db: Db;
  kind: "postgres" | "pglite";
  /** Applies pending migrations; concurrent starters are serialised by a Postgres advisory lock. */
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * PostgreSQL: opens a new pool and ends the old one, for when the driver left one of its connections unusable
   * (see isDriverNullSocketWrite); `db` goes on working, on the new pool.
   */
  replaceConnections(): Promise<void>;
  /** Pool size, and (PostgreSQL) this client's connections by state, for metrics. */
  pool: { max: number; usage?: () => Promise<{ active: number; idle: number }> };
}

/** How long one connection attempt may take; a request during an outage is answered 503 after about this long. */
const CONNECT_TIMEOUT_SECONDS = 3;
const IDLE_TIMEOUT_SECONDS = 60;

/** Arbitrary but fixed: every Echos process contends for the same lock id. */
const MIGRATION_LOCK_ID = 0x4543484f; // "ECHO"

/** `db/migrations` beside the sources, or `migrations/` beside the bundle. */
export function migrationsFolder(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "migrations"), join(here, "../../db/migrations")];
  return candidates.find((dir) => existsSync(join(dir, "meta/_journal.json"))) ?? candidates[1]!;
}

export async function createDatabase(config: Pick<Config, "database">): Promise<Database> {
  const c = config.database;
  if ("url" in c) {
    // A name of its own, so the server's activity view tells this client's connections apart.
    const applicationName = `echos-${randomBytes(4).toString("hex")}`;
    const open = () =>
      postgres(c.url, {
        max: c.poolMax,
        connection: { application_name: applicationName, statement_timeout: c.statementTimeoutMs ?? 15_000 },
        ssl: c.ssl === true ? "require" : c.ssl === false ? false : "prefer",
        onnotice: () => {},
        // During an outage a request waits for at most one connection attempt before it is answered 503, and a
        // restarted server is found again within a second: the driver's default pause between attempts grows to
        // 20 s and never shrinks back.
        connect_timeout: CONNECT_TIMEOUT_SECONDS,
        backoff: () => 0.5 + Math.random() * 0.5,
        // Idle connections are closed (and opened again when needed), so one a network dropped silently is replaced.
        idle_timeout: IDLE_TIMEOUT_SECONDS,
      });
    let client = open();
    let current: Db = drizzlePostgres(client, { schema, casing: "snake_case" });
    // Callers keep this one object; it forwards to the current client, which replaceConnections() swaps.
    const db = new Proxy(current, {
      get(_target, property) {
        const value: unknown = Reflect.get(current, property, current);
        return typeof value === "function" && property !== "constructor"
          ? ((value as (...args: unknown[]) => unknown).bind(current) as unknown)
          : value;
      },
    });
    return {
      db,
      kind: "postgres",
      async replaceConnections() {
        const broken = client;
        client = open();
        current = drizzlePostgres(client, { schema, casing: "snake_case" });
        // Queries running on the old pool get a few seconds to finish; what is still waiting then (a wedged
        // connection's queries never finish) is ended with an error, which the request answers as a 503.
        await broken.end({ timeout: 5 }).catch(() => {});
      },
      async migrate() {
        // A one-connection client, so the session-level advisory lock covers every migration statement.
        const conn = postgres(c.url, {
          max: 1,
          ssl: client.options.ssl,
          onnotice: () => {},
          connect_timeout: CONNECT_TIMEOUT_SECONDS,
        });
        try {
          await conn`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
          await migratePostgres(drizzlePostgres(conn), { migrationsFolder: migrationsFolder() });
        } finally {
          await conn.end({ timeout: 5 });
        }
      },
      async ping() {
        await client`select 1`;
      },
      async close() {
        await client.end({ timeout: 5 });
      },
      pool: {
        max: c.poolMax,
        async usage() {
          // The connection asking is left out: it is busy only because of the question.
          const [row] = await client<{ active: number; idle: number }[]>`
            select count(*) filter (where state = 'active')::int as active,
                   count(*) filter (where state is distinct from 'active')::int as idle
            from pg_stat_activity where application_name = ${applicationName} and pid <> pg_backend_pid()`;
          return row ?? { active: 0, idle: 0 };
        },
      },
    };
  }

  // Embedded: loaded only when used, so production bundles never start it.
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("drizzle-orm/pglite"),
    import("drizzle-orm/pglite/migrator"),
  ]);
  if (c.dir) mkdirSync(c.dir, { recursive: true });
  const client = c.dir ? await PGlite.create(c.dir) : await PGlite.create();
  const db = drizzlePglite(client, { schema, casing: "snake_case" });
  return {
    db,
    kind: "pglite",
    async migrate() {
      // PGlite is one connection inside this process, so no other starter can interleave.
      await migratePglite(db, { migrationsFolder: migrationsFolder() });
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async replaceConnections() {},
    async close() {
      await client.close();
    },
    pool: { max: 1 },
  };
}
