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

/**
 * The same deps, logging through `log`: what a request hands the services it calls, so their lines carry the
 * request's id, user and organisation. One spread per request; a child logger given as a function is made on
 * first use only.
 */
export function withRequestLog<D extends Pick<AppDeps, "log">>(deps: D, log: Logger | (() => Logger)): D {
  if (typeof log !== "function") return { ...deps, log };
  let made: Logger | undefined;
  return {
    ...deps,
    get log() {
      return (made ??= log());
    },
  };
}
