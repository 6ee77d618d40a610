import type { Config } from "./config.ts";
import type { Database } from "./infra/db.ts";
import type { Lifecycle } from "./infra/lifecycle.ts";
import type { Logger } from "./infra/logger.ts";
import type { Mailer } from "./infra/mailer.ts";
import type { Metrics } from "./infra/metrics.ts";
import type { PeriodicScheduler } from "./infra/periodic-scheduler.ts";
import type { ErrorTracker } from "./infra/sentry.ts";
import type { SharedStore } from "./infra/store/index.ts";

/** Everything a request handler or service may depend on, passed explicitly (no module-level singletons). */
export interface AppDeps {
  config: Config;
  log: Logger;
  database: Database;
  store: SharedStore;
  mailer: Mailer;
  lifecycle: Lifecycle;
  jobs: PeriodicScheduler;
  metrics: Metrics;
  errorTracker: ErrorTracker;
  instance: { id: string; hostname: string; version: string; startedAt: Date };
}
