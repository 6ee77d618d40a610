import { expect, it } from "vitest";
import { parseApiKey } from "@shared/api-key-format.ts";
import { describeInBrowser } from "../helpers/browser-suite.ts";
import { uniqueEmail } from "../helpers/factories.ts";

/** The page's globals this file reads inside `page.evaluate` (tests are typed without the DOM library). */
type InPage = { navigator: { clipboard: { readText(): Promise<string> } } };

describeInBrowser("sign up, create an API key, copy it, revoke it", (server) => {
  it("shows the key once, copies it, and the revoked key stops working", async () => {
    const { page } = await server.openPage({ timeoutMs: 10_000, permissions: ["clipboard-read", "clipboard-write"] });
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`page: ${error.message}`));
    page.on("console", (msg) => {
      // A 401 from auth.me before signing in is expected; anything else is a defect.
      if (msg.type() === "error" && !msg.text().includes("401")) problems.push(`console: ${msg.text()}`);
    });

    // Signed out: any page leads to the sign-in form, which links to sign-up.
    await page.goto(`${server.url}/settings/api-keys`);
    await page.waitForURL(/\/login/);
    await page.getByRole("link", { name: /sign up|create an account/i }).click();
    await page.waitForURL(/\/signup/);
    // The router keeps showing the sign-in form until the sign-up page's code has loaded: wait for it, as a person would.
    await page.getByRole("heading", { name: /create your account/i }).waitFor();
    const email = uniqueEmail("journey");
    await page.getByLabel(/email/i).fill(email);
    await page.getByLabel(/password/i).fill("a long enough password");
    await page.getByRole("button", { name: /sign up|create account/i }).click();
    await page.waitForURL((url) => !/\/(login|signup)/.test(url.pathname));

    await page.goto(`${server.url}/settings/api-keys`);
    await page.getByTestId("create-key-button").click();
    await page.getByTestId("key-name-input").fill("Journey key");
    await page.getByTestId("key-submit").click();
    const key = (await page.getByTestId("new-key-value").textContent())?.trim() ?? "";
    expect(parseApiKey(key)).toMatchObject({ ok: true, scope: "ingest" });
    await page.getByTestId("copy-key-button").click();
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as InPage).navigator.clipboard.readText()))
      .toBe(key);

    const whoami = await fetch(`${server.url}/api/v1/whoami`, { headers: { "x-api-key": key } });
    expect(whoami.status).toBe(200);

    // Once dismissed, the key is not shown again anywhere on the page.
    await page.getByRole("button", { name: /done/i }).click();
    await page.reload();
    const row = page.locator('[data-testid="key-row"][data-key-name="Journey key"]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await page.content()).not.toContain(key);

    await row.getByTestId("revoke-key-button").click();
    await page.getByTestId("confirm-revoke").click();
    await expect.poll(() => row.textContent()).toContain("Revoked");
    const afterRevoke = await fetch(`${server.url}/api/v1/whoami`, { headers: { "x-api-key": key } });
    expect(afterRevoke.status).toBe(401);
    expect(problems).toEqual([]);
  });
});
