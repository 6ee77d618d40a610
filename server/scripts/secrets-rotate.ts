// npm run secrets:rotate — re-seals stored provider credentials under ENCRYPTION_KEY.
// Rotate by setting the new key as ENCRYPTION_KEY and the old one as ENCRYPTION_KEY_PREVIOUS, running this,
// then removing ENCRYPTION_KEY_PREVIOUS.
import { ConfigError, loadConfig } from "../config.ts";
import { createDatabase } from "../infra/db.ts";
import { rotateCredentials } from "../modules/credentials/service.ts";

try {
  const config = loadConfig(process.env);
  const database = await createDatabase(config);
  await database.migrate();
  const { rotated, current, unreadable } = await rotateCredentials({ database, config });
  await database.close();
  console.log(`Re-sealed ${rotated} credential(s) under key ${current}.`);
  for (const u of unreadable)
    console.error(
      `Left ${u.name} of organisation ${u.orgId} as it is: sealed with key ${u.keyId}, which is neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS`,
    );
  if (unreadable.length > 0) process.exit(1);
} catch (error) {
  if (error instanceof ConfigError) for (const p of error.problems) console.error(`Configuration error: ${p}`);
  else console.error(`Rotation failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
