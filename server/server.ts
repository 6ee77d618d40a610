import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { type BuildAppOptions, buildApp } from "./app.ts";
import { type Config, unneededVariablesNotice } from "./config.ts";
import type { AppDeps } from "./deps.ts";
import { createDatabase } from "./infra/db.ts";
import { JobWorker } from "./infra/job-worker.ts";
import { Lifecycle } from "./infra/lifecycle.ts";
import { createMailer } from "./infra/mailer.ts";
import { createMetrics } from "./infra/metrics.ts";
import { PeriodicScheduler } from "./infra/periodic-scheduler.ts";
import { createErrorTracker } from "./infra/sentry.ts";
import type { Logger } from "./infra/logger.ts";
import { createSharedStore } from "./infra/store/create.ts";
import { decoyHash } from "./modules/auth/password.ts";
import { connectDemoRuntime } from "./modules/dev-seed/demo-runtime.ts";
import { seedDemoData, seedDevelopment } from "./modules/dev-seed/seed.ts";
import { jobHandlers } from "./modules/jobs/handlers.ts";
import { schedulePeriodicJobs, summaryIntervalMs } from "./modules/jobs/schedule.ts";
import { HEARTBEAT_INTERVAL_MS, recordHeartbeat, recordStopped } from "./modules/system/instances.ts";
import { VERSION } from "./version.ts";

export interface RunningServer {
  app: FastifyInstance;
  deps: AppDeps;
  url: string;
  /** Drains and stops: readiness 503 at once, streams end, in-flight requests finish, connections close. */
  shutdown(reason?: string): Promise<void>;
}

export async function startServer(config: Config, log: Logger, options: BuildAppOptions = {}): Promise<RunningServer> {
  const [database, store] = await Promise.all([createDatabase(config), createSharedStore(config.redisUrl, log)]);
  const lifecycle = new Lifecycle();
  const jobs = new PeriodicScheduler(log);
  const metrics = createMetrics();
  metrics.setDbPool(database.pool.max, database.pool.usage);
  const deps: AppDeps = {
    config,
    log,
    database,
    store,
    mailer: createMailer(config, log),
    lifecycle,
    jobs,
    metrics,
    errorTracker: createErrorTracker(config, log),
    instance: {
      id: `${hostname()}-${randomBytes(4).toString("hex")}`,
      hostname: hostname(),
      version: VERSION,
      startedAt: new Date(),
    },
  };

  // Computed now, so the first sign-in with an unknown e-mail takes no longer than one with a known one.
  void decoyHash();
  const app = await buildApp(deps, options);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://127.0.0.1:${port}`;
  log.info(`Echos ${VERSION} listening on http://localhost:${port}`, { env: config.env, database: database.kind });
  const unneeded = unneededVariablesNotice(config.unneededVariables);
  if (unneeded) log.info(unneeded);

  // Listening before migrating lets probes see "not ready" rather than "connection refused".
  await database.migrate();
  if (config.env === "development") await seedDevelopment(deps);
  lifecycle.markMigrated();
  log.info("Database migrations applied; ready");
  jobs.every("instance-heartbeat", HEARTBEAT_INTERVAL_MS, () => recordHeartbeat(deps));
  // Durable work lives in the `jobs` table: this instance schedules its share (deduplicated per time slot) and
  // runs whatever is due, beside any number of other instances.
  const worker = new JobWorker(database.db, log, {
    workerId: deps.instance.id,
    handlers: jobHandlers(deps),
    leaseMs: config.jobs.leaseMs,
  });
  jobs.every("job-queue", config.jobs.pollMs, async () => void (await worker.drain()));
  jobs.every("job-schedules", summaryIntervalMs(deps), async () => {
    if ((await schedulePeriodicJobs(deps)) > 0) void jobs.run("job-queue");
  });
  // In the background, never delaying readiness: the sample runs arrive through the public API like any agent's.
  if (config.env === "development") void seedDemoData(deps, url);
  const demoRuntime = config.env === "development" ? connectDemoRuntime(deps, url) : null;

  let stopping: Promise<void> | null = null;
  const shutdown = (reason = "shutdown") =>
    (stopping ??= (async () => {
      log.info("Shutting down: draining requests", { reason });
      lifecycle.startDraining();
      await (await demoRuntime)?.close();
      jobs.stop();
      await worker.stop();
      // Sockets that turn idle after close() began (a stream that just ended) are closed as they appear.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 250);
      await app.close().finally(() => clearInterval(sweep));
      await lifecycle.settled();
      await recordStopped(deps).catch(() => {});
      await Promise.allSettled([database.close(), store.close(), deps.errorTracker.flush()]);
      log.info("Shutdown complete");
    })());

  return { app, deps, url, shutdown };
}
