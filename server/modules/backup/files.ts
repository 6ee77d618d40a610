import { readdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";

/** `backup-2026-11-22T10-00-00Z.sql[.gz]`: sorts by time, and has no characters a shell or Windows minds. */
const BACKUP_NAME = /^backup-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.sql(\.gz)?$/;
const DAY_MS = 86_400_000;

export function backupFileName(now: Date, compress: boolean): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replaceAll(":", "-");
  return `backup-${stamp}.sql${compress ? ".gz" : ""}`;
}

export function isBackupFile(name: string): boolean {
  return BACKUP_NAME.test(name);
}

/** Deletes backups in `dir` last written more than `keepDays` days before `now`; other files are left alone. */
export async function pruneBackups(dir: string, keepDays: number, now = new Date()): Promise<string[]> {
  const cutoff = now.getTime() - keepDays * DAY_MS;
  const removed: string[] = [];
  for (const name of (await readdir(dir)).filter(isBackupFile).sort()) {
    const file = join(dir, name);
    if ((await stat(file)).mtimeMs < cutoff) {
      await unlink(file);
      removed.push(file);
    }
  }
  return removed;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
