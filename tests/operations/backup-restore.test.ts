import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, createDatabase } from "../../server/infra/db.ts";
import { TEST_DATABASE_URL } from "../helpers/env.ts";
import { signUpOverHttp } from "../helpers/http-user.ts";
import { startTestServer } from "../helpers/server.ts";

interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The npm script's command line, in a child process with only the variables given (plus PATH). */
function runScript(script: "backup" | "restore", args: string[], env: Record<string, string>): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", `db/scripts/${script}.ts`, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "test", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Row count and an md5 over every row's text, per table of the schema and of the migration journal. */
async function fingerprint(database: Database): Promise<Record<string, { rows: number; md5: string }>> {
  const rowsOf = <T>(result: unknown) => (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
  const tables = rowsOf<{ name: string }>(
    await database.db.execute(sql`select format('%I.%I', schemaname, tablename) as name from pg_tables
      where schemaname in ('public', 'drizzle') order by 1`),
  );
  const result: Record<string, { rows: number; md5: string }> = {};
  for (const { name } of tables) {
    const [row] = rowsOf<{ rows: number; md5: string }>(
      await database.db.execute(
        sql.raw(`select count(*)::int as rows, coalesce(md5(string_agg(t::text, ',' order by t::text)), '') as md5
          from ${name} t`),
      ),
    );
    result[name] = row!;
  }
  return result;
}

/** Sample data through the public API: accounts, sessions, keys, audit entries, runs, spans, a conversation. */
async function seed(url: string) {
  const { key } = await signUpOverHttp(url, "backup");
  const at = new Date().toISOString();
  const items = [
    { type: "run", id: "b-run-1", name: "triage", startedAt: at, status: "success", conversationId: "c-1" },
    { type: "run", id: "b-run-2", name: "triage", startedAt: at, status: "error", error: 'it\'s "quoted"\n' },
    ...Array.from({ length: 20 }, (_, i) => ({
      type: "span",
      id: `b-span-${i}`,
      runId: i % 2 ? "b-run-1" : "b-run-2",
      name: `step ${i} — ünïcode`,
      kind: "llm",
      startedAt: at,
      model: "gpt-4o-mini",
      inputTokens: i,
    })),
  ];
  const res = await fetch(`${url}/api/v1/ingest`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key },
    body: JSON.stringify({ items }),
  });
  expect(res.status).toBe(207);
}

const dirs: string[] = [];
const scratchDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "echos-backup-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("backups of the embedded database", () => {
  const dataDir = scratchDir();
  const backupDir = scratchDir();
  const env = { ECHOS_DATA_DIR: dataDir, BACKUP_DIR: backupDir };
  const embedded = { database: { embedded: true as const, dir: join(dataDir, "pglite") } };
  let before: Awaited<ReturnType<typeof fingerprint>>;

  beforeAll(async () => {
    const server = await startTestServer({ env: { ...env, DATABASE_URL: undefined } });
    await seed(server.url);
    await server.shutdown();
    const database = await createDatabase(embedded);
    before = await fingerprint(database);
    await database.close();
  });

  it("backs up, and a restore into a wiped data dir gives every table back row for row", async () => {
    expect(before["public.spans"]?.rows).toBe(20);
    const backup = await runScript("backup", ["--compress"], env);
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/Dumping the embedded database .* \(\d+ tables\)/);
    expect(backup.stdout).toMatch(
      /Backup written: .*backup-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.sql\.gz \(\d+(\.\d)? KB\)/,
    );
    const [file] = readdirSync(backupDir);

    rmSync(join(dataDir, "pglite"), { recursive: true });
    const restore = await runScript("restore", [join(backupDir, file!)], env);
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain("100%");

    const database = await createDatabase(embedded);
    try {
      expect(await fingerprint(database)).toEqual(before);
    } finally {
      await database.close();
    }
  });

  it("removes backups older than --keep-days and keeps the rest", async () => {
    const old = join(backupDir, "backup-2020-01-01T00-00-00Z.sql");
    const unrelated = join(backupDir, "notes.txt");
    writeFileSync(old, "-- old");
    writeFileSync(unrelated, "keep me");
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000);
    utimesSync(old, tenDaysAgo, tenDaysAgo);
    utimesSync(unrelated, tenDaysAgo, tenDaysAgo);
    const result = await runScript("backup", ["--keep-days", "7"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Removed backup older than 7 days: ${old}`);
    const left = readdirSync(backupDir);
    expect(left).not.toContain("backup-2020-01-01T00-00-00Z.sql");
    expect(left).toContain("notes.txt");
    expect(left.filter((n) => n.endsWith(".sql")).length).toBe(1);
  });

  it("rejects a --keep-days that is not a number of days", async () => {
    const result = await runScript("backup", ["--keep-days", "soon"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--keep-days must be a whole number of days (got "soon")');
  });

  it("refuses a file that is not a backup", async () => {
    const bogus = join(backupDir, "bogus.sql");
    writeFileSync(bogus, "drop table users;");
    const result = await runScript("restore", [bogus], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is not a pg_dump SQL backup");
  });
});

// PostgreSQL needs a server to make a scratch database on: set TEST_DATABASE_URL to run these.
describe.skipIf(!TEST_DATABASE_URL)("backups of PostgreSQL", () => {
  const backupDir = scratchDir();
  const name = `echos_backup_${randomBytes(4).toString("hex")}`;
  const admin = TEST_DATABASE_URL ? postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} }) : null;
  const url = TEST_DATABASE_URL ? Object.assign(new URL(TEST_DATABASE_URL), { pathname: `/${name}` }).toString() : "";
  const env = { DATABASE_URL: url, BACKUP_DIR: backupDir };
  const target = { database: { url, ssl: false as const, poolMax: 2 } };
  let before: Awaited<ReturnType<typeof fingerprint>>;

  beforeAll(async () => {
    // A database of its own, so wiping it never touches the shared test database.
    await admin!.unsafe(`create database ${name}`);
    const server = await startTestServer({ env: { DATABASE_URL: url } });
    await seed(server.url);
    await server.shutdown();
    const database = await createDatabase(target);
    before = await fingerprint(database);
    await database.close();
  });
  afterAll(async () => {
    await admin?.unsafe(`drop database if exists ${name} with (force)`);
    await admin?.end();
  });

  it("backs up with pg_dump, and psql restores every table row for row after a wipe", async () => {
    expect(before["public.spans"]?.rows).toBe(20);
    const backup = await runScript("backup", [], env);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain(`Dumping PostgreSQL (${name}) with pg_dump`);
    expect(backup.stdout).toMatch(/table \d+: public\.spans/);
    expect(backup.stdout).toMatch(/Backup written: .*\.sql \(\d+(\.\d)? KB\)/);
    const [file] = readdirSync(backupDir);

    const database = await createDatabase(target);
    try {
      await database.db.execute(sql`drop schema drizzle cascade`);
      await database.db.execute(sql`drop schema public cascade`);
      await database.db.execute(sql`create schema public`);
      expect(await fingerprint(database)).toEqual({});

      const restore = await runScript("restore", [join(backupDir, file!)], env);
      expect(restore.stderr).toBe("");
      expect(restore.code).toBe(0);
      expect(await fingerprint(database)).toEqual(before);
    } finally {
      await database.close();
    }
  });

  it("restores a compressed backup over the live data", async () => {
    const backup = await runScript("backup", ["--compress"], env);
    expect(backup.code).toBe(0);
    const file = readdirSync(backupDir).find((n) => n.endsWith(".sql.gz"))!;
    const database = await createDatabase(target);
    try {
      await database.db.execute(sql`delete from spans where id like 'b-span-1%'`);
      const restore = await runScript("restore", [join(backupDir, file)], env);
      expect(restore.code).toBe(0);
      expect(await fingerprint(database)).toEqual(before);
    } finally {
      await database.close();
    }
  });

  it("refuses to restore in production and explains the manual path", async () => {
    const secret = randomBytes(24).toString("base64");
    const file = readdirSync(backupDir).find((n) => n.endsWith(".sql"))!;
    const result = await runScript("restore", [join(backupDir, file)], {
      ...env,
      NODE_ENV: "production",
      SESSION_SECRET: secret,
      ENCRYPTION_KEY: secret,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("refuses to run with NODE_ENV=production");
    expect(result.stderr).toContain('psql "$DATABASE_URL" -v ON_ERROR_STOP=1 --single-transaction');
    expect(result.stdout).toBe("");
  });
});
