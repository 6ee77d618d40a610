import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { type BackupConfig, type Progress, embeddedDir } from "./backup.ts";
import { formatBytes } from "./files.ts";
import { restorePglite } from "./pglite.ts";
import { psqlRestore } from "./postgres.ts";

/** The manual path, for production, where this script refuses to overwrite the database. */
export const PRODUCTION_RESTORE_STEPS = [
  "Restoring overwrites every table, so npm run db:restore refuses to run with NODE_ENV=production.",
  "To restore production by hand:",
  "  1. Stop every Echos instance (or take them out of the load balancer).",
  "  2. Take a fresh backup of the current state first: npm run db:backup -- --compress",
  '  3. Restore:  gunzip -c FILE.sql.gz | psql "$DATABASE_URL" -v ON_ERROR_STOP=1 --single-transaction',
  '     (for an uncompressed file:  psql "$DATABASE_URL" -v ON_ERROR_STOP=1 --single-transaction -f FILE.sql)',
  "  4. Start Echos again; pending migrations are applied at start.",
].join("\n");

export class RestoreRefused extends Error {}

/** Counts bytes read from the file, for a percentage while restoring. */
function readWithProgress(file: string, size: number, progress: Progress): Readable {
  let read = 0;
  let reported = -1;
  const source = createReadStream(file);
  source.on("data", (chunk) => {
    read += chunk.length;
    const percent = Math.floor((read / size) * 10) * 10;
    if (percent > reported) {
      reported = percent;
      progress(`  ${percent}% (${formatBytes(read)} of ${formatBytes(size)})`);
    }
  });
  return source;
}

/** Replaces the configured database's contents with a backup. Refused in production (see above). */
export async function restoreBackup(config: BackupConfig, file: string, onProgress?: Progress): Promise<void> {
  const progress = onProgress ?? (() => {});
  if (config.isProduction) throw new RestoreRefused(PRODUCTION_RESTORE_STEPS);
  const { size } = await stat(file).catch(() => {
    throw new Error(`No such backup file: ${file}`);
  });
  const compressed = file.endsWith(".gz");
  const head = await readHead(file, compressed);
  if (!head.includes("PostgreSQL database dump")) throw new Error(`${file} is not a pg_dump SQL backup`);

  if ("url" in config.database) {
    progress(`Restoring ${file} (${formatBytes(size)}) into PostgreSQL with psql`);
    const source = readWithProgress(file, size, progress);
    await psqlRestore(config.database, compressed ? source.pipe(createGunzip()) : source);
  } else {
    const dir = embeddedDir(config);
    progress(`Restoring ${file} (${formatBytes(size)}) into the embedded database in ${dir}`);
    const chunks: Buffer[] = [];
    const source = readWithProgress(file, size, progress);
    for await (const chunk of compressed ? source.pipe(createGunzip()) : source) chunks.push(chunk as Buffer);
    await restorePglite(dir, Buffer.concat(chunks).toString("utf8"));
  }
  progress(`Restored ${file}`);
}

async function readHead(file: string, compressed: boolean): Promise<string> {
  const source = createReadStream(file, { end: compressed ? 64 * 1024 : 4096 });
  const stream = compressed ? source.pipe(createGunzip({ finishFlush: 2 /* Z_SYNC_FLUSH: a cut gzip */ })) : source;
  let text = "";
  for await (const chunk of stream) {
    text += (chunk as Buffer).toString("utf8");
    if (text.length >= 4096) break;
  }
  source.destroy();
  return text;
}
