// npm run db:restore -- FILE — replaces the configured database's contents with a backup (never in production).
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../../server/config.ts";
import { RestoreRefused, restoreBackup } from "../../server/modules/backup/restore.ts";

try {
  const { positionals } = parseArgs({ allowPositionals: true, options: {} });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new Error("Name one backup file: npm run db:restore -- FILE");
  const config = loadConfig(process.env);
  const started = Date.now();
  await restoreBackup(config, file, (line) => console.log(line));
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) console.error(`Configuration error: ${problem}`);
  } else if (error instanceof RestoreRefused) {
    console.error(error.message);
  } else {
    console.error(`Restore failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}
