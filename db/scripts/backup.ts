// npm run db:backup [-- --compress] [-- --keep-days N] — a SQL backup of the configured database into BACKUP_DIR.
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../../server/config.ts";
import { createBackup } from "../../server/modules/backup/backup.ts";

try {
  const { values } = parseArgs({
    options: { compress: { type: "boolean", default: false }, "keep-days": { type: "string" } },
    allowPositionals: false,
  });
  const keepDaysRaw = values["keep-days"];
  const keepDays = keepDaysRaw === undefined ? undefined : Number(keepDaysRaw);
  if (keepDays !== undefined && !(Number.isInteger(keepDays) && keepDays >= 0)) {
    throw new Error(`--keep-days must be a whole number of days (got "${keepDaysRaw}")`);
  }
  const config = loadConfig(process.env);
  const started = Date.now();
  await createBackup(config, { compress: values.compress, keepDays, onProgress: (line) => console.log(line) });
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) console.error(`Configuration error: ${problem}`);
  } else {
    console.error(`Backup failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}
