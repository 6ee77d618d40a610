import type { THealthReport, TServiceState } from "../../../shared/schemas/health.ts";

export type ServiceName = keyof THealthReport["services"];
export type OverallStatus = THealthReport["status"];
export type { THealthReport, TServiceState };

export const SERVICE_NAMES: readonly ServiceName[] = ["database", "redis", "email"];

export const SERVICE_LABELS: Record<ServiceName, string> = {
  database: "Database",
  redis: "Redis",
  email: "Email",
};

export const STATE_LABELS: Record<TServiceState, string> = {
  ok: "Operational",
  degraded: "Degraded",
  error: "Error",
  not_configured: "Not configured",
};
