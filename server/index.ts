import { ConfigError, loadConfig } from "./config.ts";
import { isDriverNullSocketWrite } from "./infra/db-availability.ts";
import { closeLogger, createLogger } from "./infra/logger.ts";
import { type RunningServer, startServer } from "./server.ts";

function loadConfigOrExit() {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`Configuration error: ${problem}\n`);
      process.exit(1);
    }
    throw error;
  }
}

const config = loadConfigOrExit();
const log = createLogger(config);
let running: RunningServer | undefined;

/**
 * The one uncaught exception the process survives is postgres.js writing to a connection that is already closed
 * (see isDriverNullSocketWrite): the query it carried has failed already, so only the connection is lost, and it is
 * replaced with the rest of the pool. Anything else ends the process, as it would without this handler, once the
 * log (and Sentry, when on) had a moment to write it down.
 */
process.on("uncaughtException", (error, origin) => {
  if (isDriverNullSocketWrite(error)) {
    log.warn("The PostgreSQL driver wrote to a closed connection; replacing the connection pool", {
      error: error.message,
    });
    void running?.deps.database.replaceConnections();
    return;
  }
  log.error("Uncaught exception; exiting", { origin, error });
  const flushed = Promise.allSettled([running?.deps.errorTracker.flush(2000), closeLogger(log)]);
  const timeout = new Promise((r) => setTimeout(r, 3000).unref());
  void Promise.race([flushed, timeout]).finally(() => process.exit(1));
});

try {
  const server = await startServer(config, log);
  running = server;
  const onSignal = (signal: NodeJS.Signals) => {
    const force = setTimeout(() => {
      log.error("Shutdown took too long; exiting", { timeoutMs: config.shutdownTimeoutMs });
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    server
      .shutdown(signal)
      .then(() => closeLogger(log))
      .then(() => {
        clearTimeout(force);
        process.exit(0);
      })
      .catch((error: unknown) => {
        log.error("Shutdown failed", { error });
        process.exit(1);
      });
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
} catch (error) {
  log.error("Echos failed to start", { error });
  await closeLogger(log);
  process.exit(1);
}
