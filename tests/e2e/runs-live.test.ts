import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { describeInBrowser, watchProblems } from "../helpers/browser-suite.ts";
import type { PageElement } from "../helpers/browser.ts";
import { iso, signUpWithKey } from "./runs-helpers.ts";

const rowIds = (page: Page) =>
  page
    .locator('[data-testid="run-row"]')
    .evaluateAll((rows: PageElement[]) => rows.map((r) => r.getAttribute("data-run-id")));

describeInBrowser("the Runs page, live", (server) => {
  it("shows runs as agents send them, updates them in place, and keeps its filters in the URL", async () => {
    const { context, page } = await server.openPage({ timeoutMs: 10_000 });
    const problems = watchProblems(page);
    const { ingest } = await signUpWithKey(context, server.url, "runs-live");
    const now = Date.now();

    await page.goto(`${server.url}/runs`);
    await page.getByRole("heading", { name: "No runs yet" }).waitFor();
    await expect.poll(() => page.getByTestId("runs-live").getAttribute("data-state")).toBe("live");
    // Set on this document only: still there at the end means nothing reloaded the page.
    await page.evaluate(() => ((globalThis as unknown as { marker: string }).marker = "same page"));

    // A run that has started: it appears, running, without a reload.
    await ingest([
      { type: "run", id: "run-alpha", name: "alpha triage", status: "running", startedAt: iso(now - 5_000) },
    ]);
    const alpha = page.locator('[data-testid="run-row"][data-run-id="run-alpha"]');
    await expect.poll(() => alpha.getAttribute("data-status")).toBe("running");
    expect(await alpha.locator("[data-status=running]").count()).toBe(1);

    // A newer run lands above it: rows are in start order, newest first.
    await ingest([
      {
        type: "run",
        id: "run-beta",
        name: "beta summary",
        status: "success",
        startedAt: iso(now - 2_000),
        endedAt: iso(now - 500),
        tags: ["prod"],
      },
    ]);
    await expect.poll(() => rowIds(page)).toEqual(["run-beta", "run-alpha"]);

    // The running run finishes with an error: the same row changes, with the error's first line.
    await ingest([
      {
        type: "run",
        id: "run-alpha",
        name: "alpha triage",
        status: "error",
        startedAt: iso(now - 5_000),
        endedAt: iso(now - 1_000),
        error: "Upstream timed out after 30 s\n    at callModel (agent.ts:12)",
      },
    ]);
    await expect.poll(() => alpha.getAttribute("data-status")).toBe("error");
    expect(await alpha.textContent()).toContain("Upstream timed out after 30 s");
    expect(await alpha.textContent()).not.toContain("callModel");
    expect(await rowIds(page)).toEqual(["run-beta", "run-alpha"]);
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: string }).marker)).toBe("same page");

    // A filter in the URL applies on load, and the live stream respects it.
    await page.goto(`${server.url}/runs?status=error`);
    await expect.poll(() => rowIds(page)).toEqual(["run-alpha"]);
    expect(await page.getByTestId("status-filter-error").getAttribute("aria-pressed")).toBe("true");
    await expect.poll(() => page.getByTestId("runs-live").getAttribute("data-state")).toBe("live");
    await ingest([
      {
        type: "run",
        id: "run-gamma",
        name: "gamma ok",
        status: "success",
        startedAt: iso(now - 1_000),
        endedAt: iso(now),
      },
      { type: "run", id: "run-delta", name: "delta failed", status: "error", startedAt: iso(now - 800), error: "Boom" },
    ]);
    await expect.poll(() => rowIds(page)).toEqual(["run-delta", "run-alpha"]);

    // Search is debounced into the URL; clearing the filters shows everything; back returns to the filtered view.
    await page.goto(`${server.url}/runs`);
    await expect.poll(() => rowIds(page)).toEqual(["run-delta", "run-gamma", "run-beta", "run-alpha"]);
    await page.getByTestId("runs-search").fill("beta");
    await page.waitForURL(/[?&]q=beta/);
    await expect.poll(() => rowIds(page)).toEqual(["run-beta"]);
    await page.getByTestId("status-filter-success").click();
    await page.waitForURL(/status=success/);
    await expect.poll(() => rowIds(page)).toEqual(["run-beta"]);
    await page.getByTestId("clear-filters").click();
    await expect.poll(() => rowIds(page)).toHaveLength(4);
    expect(new URL(page.url()).search).toBe("");
    await page.goBack();
    await page.waitForURL(/status=success/);
    await expect.poll(() => rowIds(page)).toEqual(["run-beta"]);
    expect(await page.getByTestId("runs-search").inputValue()).toBe("beta");

    // A filter that matches nothing says so, with a way out.
    await page.goto(`${server.url}/runs?tag=no-such-tag`);
    await page.getByRole("heading", { name: "No runs match these filters" }).waitFor();
    await page.getByTestId("empty-clear-filters").click();
    await expect.poll(() => rowIds(page)).toHaveLength(4);

    // A row opens the run; Enter on a focused row does too.
    await page.locator('[data-testid="run-row"][data-run-id="run-gamma"]').click();
    await page.waitForURL(/\/runs\/run-gamma$/);
    await page.getByTestId("run-header").waitFor();
    await page.goBack();
    await page.locator('[data-testid="run-row"][data-run-id="run-beta"]').focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/runs\/run-beta$/);

    expect(problems).toEqual([]);
  });
});
