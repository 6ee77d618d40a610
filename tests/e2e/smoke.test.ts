import { expect, it } from "vitest";
import { describeInBrowser, watchProblems } from "../helpers/browser-suite.ts";
import { TEST_REDIS_URL } from "../helpers/env.ts";
import { uniqueEmail } from "../helpers/factories.ts";

describeInBrowser("dashboard smoke", (server) => {
  it("serves the dashboard; the System page shows healthy services, live, with no console errors", async () => {
    const { page } = await server.openPage();
    const problems = watchProblems(page);

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
  });
});
