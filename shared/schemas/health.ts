import { z } from "zod";

/** State of one dependency as reported by `/api/health` and the live status stream. */
export const ZServiceState = z.enum(["ok", "degraded", "error", "not_configured"]);
export type ServiceState = z.infer<typeof ZServiceState>;

export const ZHealthReport = z.object({
  status: z.enum(["ok", "degraded", "error"]),
  timestamp: z.string(),
  uptime: z.number(),
  environment: z.string(),
  version: z.string(),
  instanceId: z.string(),
  ready: z.boolean(),
  services: z.object({
    database: ZServiceState,
    redis: ZServiceState,
    email: ZServiceState,
  }),
  details: z.object({
    database: z.string(),
    redis: z.string(),
    email: z.string(),
  }),
});
export type HealthReport = z.infer<typeof ZHealthReport>;

/** `GET /health`, the liveness probe in the deployment guides' shape: unhealthy (503) only without a database. */
export const ZLivenessHealthy = z.object({
  status: z.literal("healthy"),
  timestamp: z.string(),
  uptime: z.number(),
  environment: z.string(),
  version: z.string(),
});
export const ZLivenessUnhealthy = z.object({
  status: z.literal("unhealthy"),
  error: z.string(),
  timestamp: z.string(),
});
export const ZLiveness = z.discriminatedUnion("status", [ZLivenessHealthy, ZLivenessUnhealthy]);
export type Liveness = z.infer<typeof ZLiveness>;

/**
 * `GET /api/health/live`: the process serves requests. It asks no dependency, so an orchestrator's liveness probe
 * does not restart instances while the database is away (readiness takes them out of rotation instead).
 */
export const ZProcessLiveness = z.object({ status: z.literal("alive"), uptime: z.number() });
export type ProcessLiveness = z.infer<typeof ZProcessLiveness>;

/** `GET /api/health/ready`: not ready (503) before the migrations are applied and while shutting down, with why. */
export const ZReadiness = z.discriminatedUnion("status", [
  z.object({ status: z.literal("ready") }),
  z.object({ status: z.literal("not_ready"), reason: z.string() }),
]);
export type Readiness = z.infer<typeof ZReadiness>;

/** One of this instance's periodic loops (heartbeat, queue polling, scheduling). */
export const ZPeriodicJobState = z.object({
  name: z.string(),
  intervalMs: z.number(),
  runs: z.number(),
  failures: z.number(),
  consecutiveFailures: z.number(),
  lastRunAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  lastError: z.string().nullable(),
  running: z.boolean(),
});

/** The shared job queue, per kind, across all instances. */
export const ZJobKindStats = z.object({
  kind: z.string(),
  queued: z.number(),
  running: z.number(),
  failed: z.number(),
  retrying: z.number(),
  lastSuccessAt: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
  lastError: z.string().nullable(),
});

/** This instance's view of the SMTP server. */
export const ZMailerStatus = z.object({
  state: z.enum(["ok", "degraded", "not_configured"]),
  detail: z.string(),
  lastSuccessAt: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
});

/** `GET /api/sync/health`: unhealthy (503) when a loop is failing or the queue cannot be read (`queue` null). */
export const ZSyncHealth = z.object({
  status: z.enum(["healthy", "unhealthy"]),
  timestamp: z.string(),
  instanceId: z.string(),
  jobs: z.array(ZPeriodicJobState),
  queue: z.array(ZJobKindStats).nullable(),
  queueError: z.string().optional(),
  email: ZMailerStatus,
});
export type SyncHealth = z.infer<typeof ZSyncHealth>;
/** `GET /api/sync/health` for an anonymous remote caller: the verdict only, no instance, jobs or queue. */
export const ZSyncHealthSummary = ZSyncHealth.pick({ status: true, timestamp: true });
export type SyncHealthSummary = z.infer<typeof ZSyncHealthSummary>;
