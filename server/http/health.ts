import type { FastifyInstance } from "fastify";
import type { Liveness, ProcessLiveness, Readiness, SyncHealth, SyncHealthSummary } from "@shared/schemas/health.ts";
import type { AppDeps } from "../deps.ts";
import { type JobKindStats, jobStats } from "../infra/durable-queue.ts";
import { databaseState, getHealthReport } from "../modules/system/health.ts";
import { isOperator } from "./metrics.ts";
import { requestDeps } from "./request-deps.ts";

/** Probe endpoints in the shapes the deployment guides use; exempt from rate limits. */
export function registerHealthRoutes(app: FastifyInstance, deps: AppDeps): void {
  const config = { rateLimit: false } as const;

  app.get("/health", { config }, async (req, reply) => {
    const report = await getHealthReport(requestDeps(deps, req));
    if (report.services.database === "error") {
      return reply
        .code(503)
        .send({ status: "unhealthy", error: report.details.database, timestamp: report.timestamp } satisfies Liveness);
    }
    return {
      status: "healthy",
      timestamp: report.timestamp,
      uptime: report.uptime,
      environment: report.environment,
      version: report.version,
    } satisfies Liveness;
  });

  app.get("/api/health", { config }, async (req, reply) => {
    const report = await getHealthReport(requestDeps(deps, req));
    return reply.code(report.status === "error" ? 503 : 200).send(report);
  });

  // The process alone: a restart cures nothing a database outage causes, and a fresh start would fail its migrations.
  app.get(
    "/api/health/live",
    { config },
    () => ({ status: "alive", uptime: process.uptime() }) satisfies ProcessLiveness,
  );

  // Not ready while the database does not answer either: a load balancer sends the traffic to instances that can
  // serve it, and this one comes back by itself once the ping succeeds again.
  app.get("/api/health/ready", { config }, async (req, reply) => {
    const reason =
      deps.lifecycle.notReadyReason() ??
      ((await databaseState(requestDeps(deps, req))).state === "error" ? "database unavailable" : null);
    if (reason) return reply.code(503).send({ status: "not_ready", reason } satisfies Readiness);
    return { status: "ready" } satisfies Readiness;
  });

  // `jobs`: this instance's loops (heartbeat, queue polling, scheduling). `queue`: the shared job queue per kind,
  // across all instances — depth, running, retrying and failed jobs, last success and last error. Those details
  // (instance id, job errors, mail status) go to signed-in users and operators (this host, or the metrics token);
  // anyone else reads the verdict alone, with the same status code.
  app.get("/api/sync/health", { config }, async (req, reply) => {
    const unhealthy = deps.jobs.unhealthy();
    let queue: JobKindStats[] | null = null;
    let queueError: string | undefined;
    try {
      queue = await jobStats(deps.database.db);
    } catch (error) {
      requestDeps(deps, req).log.warn("Job queue statistics unavailable", { error });
      queueError = "Job queue unavailable: the database did not answer";
    }
    const ok = unhealthy.length === 0 && queue !== null;
    const timestamp = new Date().toISOString();
    if (!req.auth?.session && !isOperator(req, deps.config.metricsToken))
      return reply
        .code(ok ? 200 : 503)
        .send({ status: ok ? "healthy" : "unhealthy", timestamp } satisfies SyncHealthSummary);
    return reply.code(ok ? 200 : 503).send({
      status: ok ? "healthy" : "unhealthy",
      timestamp,
      instanceId: deps.instance.id,
      jobs: deps.jobs.states(),
      queue,
      ...(queueError ? { queueError } : {}),
      email: deps.mailer.status(),
    } satisfies SyncHealth);
  });
}
