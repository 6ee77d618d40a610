// npm run db:migrate — applies pending migrations to DATABASE_URL (or the embedded database) and exits.
import { ConfigError, loadConfig } from "../../server/config.ts";
import { createDatabase } from "../../server/infra/db.ts";

try {
  const config = loadConfig(process.env);
  const database = await createDatabase(config);
  const started = Date.now();
  await database.migrate();
  await database.close();
  console.log(
    `Migrations applied to ${database.kind === "pglite" ? "the embedded database" : "PostgreSQL"} in ${Date.now() - started} ms`,
  );
} catch (error) {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) console.error(`Configuration error: ${problem}`);
  } else {
    console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}
