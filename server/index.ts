import { ConfigError, loadConfig } from "./config.ts";
import { closeLogger, createLogger } from "./infra/logger.ts";
import { startServer } from "./server.ts";

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

try {
  const server = await startServer(config, log);
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
