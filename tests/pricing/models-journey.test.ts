import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect, it } from "vitest";
import { describeInBrowser, watchProblems } from "../helpers/browser-suite.ts";
import { signUpOverHttp } from "../helpers/http-user.ts";

/** Screenshots of the pages this journey passes through, kept to look at (git-ignored). */
const SHOTS = resolve("test-results/pricing");

describeInBrowser("a call with no known price, priced from Settings → Models", (server) => {
  it("shows 'no price known' instead of $0, links to the form with the model filled in, and prices past calls", async () => {
    const { token, key } = await signUpOverHttp(server.url, "models-journey");
    const runId = `no-price-${Date.now()}`;
    const now = Date.now();
    const at = (ms: number) => new Date(now + ms).toISOString();
    const res = await fetch(`${server.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify({
        items: [
          { type: "run", id: runId, name: "support triage", status: "success", startedAt: at(0), endedAt: at(3_000) },
          {
            type: "span",
            id: "classify",
            runId,
            name: "classify ticket",
            kind: "llm",
            status: "success",
            startedAt: at(100),
            endedAt: at(1_500),
            model: "acme-large-1",
            inputTokens: 2_000_000,
            outputTokens: 1_000_000,
          },
          {
            type: "span",
            id: "answer",
            runId,
            name: "draft answer",
            kind: "llm",
            status: "success",
            startedAt: at(1_600),
            endedAt: at(2_900),
            model: "gpt-4o-mini",
            inputTokens: 1_200,
            outputTokens: 300,
          },
          // A run whose only model call has no known price.
          { type: "run", id: `${runId}-b`, name: "refund check", status: "success", startedAt: at(-60_000) },
          {
            type: "span",
            id: "check",
            runId: `${runId}-b`,
            name: "check refund",
            kind: "llm",
            status: "success",
            startedAt: at(-59_000),
            endedAt: at(-58_000),
            model: "acme-large-1",
            inputTokens: 1_000,
            outputTokens: 100,
          },
        ],
      }),
    });
    expect(res.status).toBe(207);

    mkdirSync(SHOTS, { recursive: true });
    const { page } = await server.openPage({ session: token, timeoutMs: 15_000 });
    const problems = watchProblems(page);

    // The overview and the runs list: the priced part of the cost, and the call left out.
    await page.goto(`${server.url}/`);
    await expect.poll(() => page.getByTestId("stat-cost-unpriced").textContent()).toBe("+ 2 unpriced calls");
    await page.screenshot({ path: join(SHOTS, "overview-unpriced.png") });
    await page.goto(`${server.url}/runs`);
    await expect.poll(() => page.getByTestId("cost-unpriced").first().textContent()).toBe("+ 1 unpriced");
    await expect.poll(() => page.getByTestId("cost-unknown").first().textContent()).toBe("No price known");
    await page.screenshot({ path: join(SHOTS, "runs-unpriced.png") });

    // The run page: header and span panel say what is unknown, and link to where to add it.
    await page.goto(`${server.url}/runs/${encodeURIComponent(runId)}?span=classify`);
    await expect.poll(() => page.getByTestId("run-cost").textContent()).toMatch(/^Cost\$0\.00036\s*\+ 1 unpriced$/);
    await expect
      .poll(() => page.getByTestId("unpriced-hint").textContent())
      .toBe("1 model call has no known price and is left out of the cost. Add its model’s price");
    const spanCost = page.getByTestId("span-cost-unknown");
    await expect.poll(() => spanCost.textContent()).toBe("No price known");
    await page.screenshot({ path: join(SHOTS, "run-no-price-known.png"), fullPage: true });

    await spanCost.click();
    await page.waitForURL(/\/settings\/models/);
    const pattern = page.getByTestId("model-pattern-input");
    await expect.poll(() => pattern.inputValue()).toBe("acme-large-1");
    await page.getByTestId("model-input-price").fill("1.5");
    await page.getByTestId("model-output-price").fill("4");
    await page.screenshot({ path: join(SHOTS, "settings-models-form.png") });
    await page.getByTestId("model-price-submit").click();
    const row = page.locator('[data-testid="model-price-row"][data-pattern="acme-large-1"]');
    await expect.poll(() => row.textContent()).toContain("$1.50$4.00");

    await row.getByTestId("apply-price-button").click();
    await expect
      .poll(() => page.getByTestId("apply-result").textContent())
      .toBe("Priced 2 past calls of acme-large-1 in 2 runs.");
    await page.screenshot({ path: join(SHOTS, "settings-models.png"), fullPage: true });

    // 2M × $1.5 + 1M × $4 = $7, beside gpt-4o-mini's $0.00036.
    await page.goto(`${server.url}/runs/${encodeURIComponent(runId)}`);
    await expect.poll(() => page.getByTestId("run-cost").textContent()).toBe("Cost$7.00");
    expect(await page.getByTestId("unpriced-hint").count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
