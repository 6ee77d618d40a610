import type { BuildAppOptions } from "../../server/app.ts";
import { loadConfig } from "../../server/config.ts";
import { createLogger, type Logger } from "../../server/infra/logger.ts";
import { type RunningServer, startServer } from "../../server/server.ts";
import { testEnv } from "./env.ts";

export interface TestServerOptions extends BuildAppOptions {
  env?: Record<string, string | undefined>;
  log?: Logger;
}

/** A real, listening Echos server on a free port, on the test database and store. */
export async function startTestServer(options: TestServerOptions = {}): Promise<RunningServer> {
  const config = loadConfig(testEnv(options.env));
  const log = options.log ?? createLogger(config);
  return startServer(config, log, { client: "none", ...options });
}
