import type { HealthReport, ServiceState } from "@shared/schemas/health.ts";
import type { AppDeps } from "../../deps.ts";
import { databaseUnavailableCode } from "../../infra/db-availability.ts";

const DB_PING_TIMEOUT_MS = 2000;
/** Probes and dashboards may poll hard; the database is asked at most once per interval per instance. */
const DB_CHECK_TTL_MS = 1000;

type Check = { state: ServiceState; detail: string };
const recentChecks = new WeakMap<AppDeps["database"], { at: number; result: Promise<Check> }>();

/** Concurrent callers share one in-flight ping, and its answer is reused for a second. */
export function databaseState(deps: AppDeps): Promise<Check> {
  const cached = recentChecks.get(deps.database);
  if (cached && Date.now() - cached.at < DB_CHECK_TTL_MS) return cached.result;
  const result = pingDatabase(deps);
  recentChecks.set(deps.database, { at: Date.now(), result });
  return result;
}

async function pingDatabase(deps: AppDeps): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      deps.database.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${DB_PING_TIMEOUT_MS} ms`)), DB_PING_TIMEOUT_MS);
      }),
    ]);
    return { state: "ok", detail: deps.database.kind === "pglite" ? "embedded PGlite" : "PostgreSQL" };
  } catch (error) {
    // The code only (ECONNREFUSED, 57P03, …): the driver's error carries the query, which is noise here.
    deps.log.warn("Database health check failed", { code: databaseUnavailableCode(error) ?? String(error) });
    return { state: "error", detail: "Database unavailable" };
  } finally {
    clearTimeout(timer);
  }
}

/** E-mails go out from the job queue: a failing SMTP server makes the report degraded, never a request fail. */
function emailState(deps: AppDeps): Check {
  const { state, detail } = deps.mailer.status();
  return { state, detail };
}

/**
 * The database is required: without it the report is `error` (HTTP 503). Redis is not: while it is down the
 * instance keeps serving on its in-memory fallback, so the report is `degraded` but still answers 200 (so it is while
 * the SMTP server refuses mail) — a load
 * balancer should not pull an instance that can serve.
 */
export async function getHealthReport(deps: AppDeps): Promise<HealthReport> {
  // Redis is asked too (a PING under the command timeout): a Redis that hangs keeps its connection "ready".
  const [database, redis] = await Promise.all([databaseState(deps), deps.store.check()]);
  const email = emailState(deps);
  const status =
    database.state === "error" ? "error" : redis.state === "degraded" || email.state === "degraded" ? "degraded" : "ok";
  return {
    status,
    timestamp: new Date().toISOString(),
    uptime: Math.round(process.uptime() * 10) / 10,
    environment: deps.config.env,
    version: deps.instance.version,
    instanceId: deps.instance.id,
    ready: deps.lifecycle.ready,
    services: { database: database.state, redis: redis.state, email: email.state },
    details: { database: database.detail, redis: redis.detail, email: email.detail },
  };
}
