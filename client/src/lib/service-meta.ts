import type { HealthReport, ServiceState } from "@shared/schemas/health.ts";

export type ServiceName = keyof HealthReport["services"];
export type OverallStatus = HealthReport["status"];
export type { HealthReport, ServiceState };

export const SERVICE_NAMES: readonly ServiceName[] = ["database", "redis", "email"];

export const SERVICE_LABELS: Record<ServiceName, string> = {
  database: "Database",
  redis: "Redis",
  email: "Email",
};

export const STATE_LABELS: Record<ServiceState, string> = {
  ok: "Operational",
  degraded: "Degraded",
  error: "Error",
  not_configured: "Not configured",
};
