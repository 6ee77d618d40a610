import { sql } from "drizzle-orm";
import { usage } from "../../../db/schema.ts";
import type { AppDeps } from "../../deps.ts";

/** Counts one replay towards the organisation's monthly usage. */
export async function consumeReplay(deps: Pick<AppDeps, "database">, orgId: string): Promise<void> {
  await deps.database.db
    .insert(usage)
    .values({ orgId, period: new Date().toISOString().slice(0, 7), replays: 1 })
    .onConflictDoUpdate({ target: [usage.orgId, usage.period], set: { replays: sql`usage.replays + 1` } });
}
