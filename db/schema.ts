import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** One row per running server process; heartbeats let operators see every instance behind a load balancer. */
export const serverInstances = pgTable(
  "server_instances",
  {
    id: text("id").primaryKey(),
    hostname: text("hostname").notNull(),
    version: text("version").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    stoppedAt: timestamp("stopped_at", { withTimezone: true }),
  },
  (t) => [index("server_instances_last_seen_idx").on(t.lastSeenAt)],
);
