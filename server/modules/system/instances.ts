import { desc, eq, gt } from "drizzle-orm";
import { serverInstances } from "../../../db/schema.ts";
import type { AppDeps } from "../../deps.ts";

export const HEARTBEAT_INTERVAL_MS = 15_000;

export async function recordHeartbeat({ database, instance }: Pick<AppDeps, "database" | "instance">): Promise<void> {
  const now = new Date();
  await database.db
    .insert(serverInstances)
    .values({
      id: instance.id,
      hostname: instance.hostname,
      version: instance.version,
      startedAt: instance.startedAt,
      lastSeenAt: now,
    })
    .onConflictDoUpdate({ target: serverInstances.id, set: { lastSeenAt: now, stoppedAt: null } });
}

export async function recordStopped({ database, instance }: Pick<AppDeps, "database" | "instance">): Promise<void> {
  await database.db.update(serverInstances).set({ stoppedAt: new Date() }).where(eq(serverInstances.id, instance.id));
}

/** Instances heard from recently (three missed heartbeats and an instance drops off the list). */
export async function listRecentInstances({ database }: Pick<AppDeps, "database">) {
  const since = new Date(Date.now() - HEARTBEAT_INTERVAL_MS * 4);
  const rows = await database.db
    .select()
    .from(serverInstances)
    .where(gt(serverInstances.lastSeenAt, since))
    .orderBy(desc(serverInstances.startedAt))
    .limit(50);
  return rows.map((r) => ({
    id: r.id,
    hostname: r.hostname,
    version: r.version,
    startedAt: r.startedAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    stopped: r.stoppedAt !== null,
  }));
}
