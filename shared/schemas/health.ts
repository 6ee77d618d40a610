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
