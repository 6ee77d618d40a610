import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip, gzipSync } from "node:zlib";
import type { Config } from "../../config.ts";
import { backupFileName, formatBytes, pruneBackups } from "./files.ts";
import { countTables, dumpPglite } from "./pglite.ts";
import { pgDump } from "./postgres.ts";

export type Progress = (message: string) => void;
export type BackupConfig = Pick<Config, "database" | "backupDir" | "isProduction">;

export interface BackupResult {
  file: string;
  bytes: number;
  removed: string[];
}

export function embeddedDir(config: BackupConfig): string {
  const c = config.database;
  if ("url" in c) throw new Error("not the embedded database");
  if (!c.dir) throw new Error("The in-memory database (NODE_ENV=test without ECHOS_DATA_DIR) has nothing to back up");
  return c.dir;
}

/**
 * Writes `backup-<timestamp>.sql` (or `.sql.gz`) into BACKUP_DIR: pg_dump for PostgreSQL, PGlite's own pg_dump
 * for the embedded database. The file appears under its name only once complete; `keepDays` then prunes.
 */
export async function createBackup(
  config: BackupConfig,
  options: { compress?: boolean; keepDays?: number; now?: Date; onProgress?: Progress } = {},
): Promise<BackupResult> {
  const progress = options.onProgress ?? (() => {});
  const compress = options.compress ?? false;
  await mkdir(config.backupDir, { recursive: true });
  const file = join(config.backupDir, backupFileName(options.now ?? new Date(), compress));
  const partial = `${file}.partial`;
  try {
    if ("url" in config.database) {
      progress(`Dumping PostgreSQL (${new URL(config.database.url).pathname.slice(1)}) with pg_dump`);
      let tables = 0;
      const out = createWriteStream(partial, { flags: "wx", mode: 0o600 });
      const onTable = (table: string) => progress(`  table ${++tables}: ${table}`);
      if (compress) {
        const sql = new PassThrough();
        await Promise.all([pgDump(config.database, sql, onTable), pipeline(sql, createGzip(), out)]);
      } else {
        await pgDump(config.database, out, onTable);
      }
    } else {
      const dir = embeddedDir(config);
      progress(`Dumping the embedded database in ${dir} (${await countTables(dir)} tables)`);
      const sql = await dumpPglite(dir);
      await writeFile(partial, compress ? gzipSync(sql) : sql, { flag: "wx", mode: 0o600 });
    }
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  const { size } = await stat(file);
  progress(`Backup written: ${file} (${formatBytes(size)})`);
  const removed = options.keepDays === undefined ? [] : await pruneBackups(config.backupDir, options.keepDays);
  for (const old of removed) progress(`Removed backup older than ${options.keepDays} days: ${old}`);
  return { file, bytes: size, removed };
}
