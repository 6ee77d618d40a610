import { join } from "node:path";
import type { Browser } from "playwright-core";
import { inject } from "vitest";
import { launchBrowser } from "./browser.ts";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "./env.ts";
import { type SpawnedServer, spawnServer } from "./spawn-server.ts";

/** The production bundle on the test database and store, and a headless Chromium to drive it. */
export async function startBrowserAndServer(): Promise<{
  server: SpawnedServer;
  browser: Browser;
  stop: () => Promise<void>;
}> {
  const server = await spawnServer([join(inject("distDir"), "index.js")], {
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
  });
  const browser = await launchBrowser();
  return {
    server,
    browser,
    stop: async () => {
      await browser.close();
      await server.stop();
    },
  };
}
