import { mkdirSync } from "node:fs";
import type { PGlite } from "@electric-sql/pglite";

/** One process at a time may open a PGlite data dir; these run while Echos is stopped. */
async function open(dir: string): Promise<PGlite> {
  const { PGlite } = await import("@electric-sql/pglite");
  mkdirSync(dir, { recursive: true });
  return PGlite.create(dir);
}

export async function countTables(dir: string): Promise<number> {
  const pg = await open(dir);
  try {
    const { rows } = await pg.query<{ n: number }>(
      "select count(*)::int as n from pg_tables where schemaname not in ('pg_catalog', 'information_schema')",
    );
    return rows[0]?.n ?? 0;
  } finally {
    await pg.close();
  }
}

/** The same plain SQL that pg_dump writes for PostgreSQL, made by pg_dump compiled for PGlite. */
export async function dumpPglite(dir: string): Promise<string> {
  const [{ pgDump }, pg] = await Promise.all([import("@electric-sql/pglite-tools/pg_dump"), open(dir)]);
  try {
    const file = await pgDump({ pg, args: ["--clean", "--if-exists", "--no-owner", "--no-privileges"] });
    return await file.text();
  } finally {
    await pg.close();
  }
}

/**
 * Runs a dump against the data dir (created when missing). psql meta-commands (`\restrict`, which newer pg_dump
 * versions write around the script) mean nothing here and are left out.
 */
export async function restorePglite(dir: string, sql: string): Promise<void> {
  const pg = await open(dir);
  try {
    const script = sql
      .split("\n")
      .filter((line) => !/^\\(un)?restrict\b/.test(line))
      .join("\n");
    await pg.transaction(async (tx) => {
      await tx.exec(script);
    });
  } finally {
    await pg.close();
  }
}
