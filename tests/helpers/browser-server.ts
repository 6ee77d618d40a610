import { join } from "node:path";
import type { Browser } from "playwright-core";
import { launchBrowser } from "./browser.ts";
import { builtDist } from "./dist.ts";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "./env.ts";
import { type SpawnedServer, spawnServer } from "./spawn-server.ts";

/**
 * The production bundle on the test database and store, and a headless Chromium to drive it. Builds the bundle
 * on first use: call it from a hook with BUILD_TIMEOUT_MS (tests/helpers/dist.ts), as describeInBrowser does.
 */
export async function startBrowserAndServer(): Promise<{
  server: SpawnedServer;
  browser: Browser;
  stop: () => Promise<void>;
}> {
  const server = await spawnServer([join(await builtDist(), "index.js")], {
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
  });
  const browser = await launchBrowser().catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  return {
    server,
    browser,
    stop: async () => {
      await browser.close();
      await server.stop();
    },
  };
}
