import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAS_CHROMIUM } from "../helpers/browser.ts";
import { TEST_REDIS_URL } from "../helpers/env.ts";
import { startBrowserAndServer } from "../helpers/browser-server.ts";
import { uniqueEmail } from "../helpers/factories.ts";
import type { SpawnedServer } from "../helpers/spawn-server.ts";

// Needs a Chromium binary (Debian's `chromium`, installed by .ci/run); a laptop without one skips this file.
describe.skipIf(!HAS_CHROMIUM)("dashboard smoke (built server, headless Chromium)", () => {
  let server: SpawnedServer;
  let browser: Browser;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ server, browser, stop } = await startBrowserAndServer());
  });
  afterAll(() => stop?.());

  it("serves the dashboard; the System page shows healthy services, live, with no console errors", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page: ${error.message}`));
    // Navigating away aborts the live stream on purpose; any other failed request is a defect.
    page.on("requestfailed", (req) => {
      if (req.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`request failed: ${req.url()}`);
    });

    // The dashboard needs an account; the browser context keeps the session cookie the sign-up sets.
    const signUp = await page.request.post(`${server.url}/trpc/auth.signUp`, {
      data: { email: uniqueEmail("smoke"), password: "a long enough password" },
    });
    expect(signUp.status()).toBe(200);
    await page.goto(`${server.url}/`);
    await expect.poll(() => page.title()).toMatch(/Echos/);
    await page.getByRole("navigation").getByRole("link", { name: "System" }).click();
    await page.waitForURL(/\/system$/);

    await expect.poll(() => page.getByTestId("system-status").textContent(), { timeout: 10_000 }).toBe("ok");
    expect(await page.getByTestId("service-database").getAttribute("data-state")).toBe("ok");
    expect(await page.getByTestId("service-redis").getAttribute("data-state")).toBe(
      TEST_REDIS_URL ? "ok" : "not_configured",
    );
    expect(await page.getByTestId("service-email").getAttribute("data-state")).toBe("not_configured");
    await expect
      .poll(() => page.getByTestId("live-indicator").getAttribute("data-state"), { timeout: 10_000 })
      .toBe("live");

    // A client route loaded directly (a shared link) renders the same shell.
    await page.goto(`${server.url}/runs`);
    await expect.poll(() => page.getByRole("navigation").isVisible()).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});
