import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { describeInBrowser, watchProblems } from "../helpers/browser-suite.ts";
import type { PageElement } from "../helpers/browser.ts";
import { iso, signUpWithKey } from "./runs-helpers.ts";

const spanRow = (page: Page, id: string) => page.locator(`[data-testid="span-row"][data-span-id="${id}"]`);
const spanIds = (page: Page) =>
  page
    .locator('[data-testid="span-row"]')
    .evaluateAll((rows: PageElement[]) => rows.map((r) => r.getAttribute("data-span-id")));

describeInBrowser("the Run detail page, live", (server) => {
  it("fills the span tree in as the run goes, and shows a span's error and input", async () => {
    const { context, page } = await server.openPage({ timeoutMs: 10_000 });
    const problems = watchProblems(page);
    const { ingest } = await signUpWithKey(context, server.url, "run-detail");
    const t0 = Date.now() - 10_000;
    const runId = "run-live-detail";
    const run = { type: "run", id: runId, name: "refund agent", startedAt: iso(t0), tags: ["prod", "vip"] };
    const messages = [
      { role: "system", content: "You decide refunds." },
      { role: "user", content: "My parcel arrived broken, can I get my money back?" },
    ];

    // In progress: the run, its root span and a first child, all running.
    await ingest([
      { ...run, status: "running", input: { ticket: 4242 } },
      { type: "span", id: "root", runId, name: "refund agent", kind: "custom", startedAt: iso(t0) },
      {
        type: "span",
        id: "decide",
        runId,
        parentId: "root",
        name: "decide refund",
        kind: "llm",
        model: "gpt-4o-mini",
        startedAt: iso(t0 + 100),
        input: { messages },
      },
    ]);

    await page.goto(`${server.url}/runs/${runId}`);
    await page.getByTestId("span-tree").waitFor();
    expect(await spanIds(page)).toEqual(["root", "decide"]);
    expect(await page.getByTestId("run-header").getAttribute("data-status")).toBe("running");
    expect(await spanRow(page, "decide").getAttribute("data-status")).toBe("running");
    expect(await spanRow(page, "decide").locator('[data-testid="running-bar"]').count()).toBe(1);
    expect(await spanRow(page, "decide").getAttribute("aria-level")).toBe("2");
    await expect.poll(() => page.getByTestId("run-live").getAttribute("data-state")).toBe("live");
    await page.evaluate(() => ((globalThis as unknown as { marker: string }).marker = "same page"));

    // More spans arrive while the page is open: the LLM call ends, a tool starts, an HTTP call fails, and a span
    // whose parent has not been sent yet hangs from the top level until it is.
    await ingest([
      {
        type: "span",
        id: "decide",
        runId,
        name: "decide refund",
        kind: "llm",
        status: "success",
        startedAt: iso(t0 + 100),
        endedAt: iso(t0 + 1_400),
        output: "Approve a full refund.",
        inputTokens: 120,
        outputTokens: 9,
        costUsd: 0.00004,
      },
      {
        type: "span",
        id: "lookup",
        runId,
        parentId: "root",
        name: "lookup order",
        kind: "tool",
        startedAt: iso(t0 + 1_500),
      },
      {
        type: "span",
        id: "payments",
        runId,
        parentId: "root",
        name: "POST /refunds",
        kind: "http",
        status: "error",
        startedAt: iso(t0 + 1_600),
        endedAt: iso(t0 + 2_100),
        input: {
          method: "POST",
          url: "https://payments.example/refunds",
          headers: { accept: "application/json", "content-type": "application/json", "x-request-id": "req-77" },
          body: { order: "A-1001", amount: 129, currency: "EUR", reason: "damaged in transit", notify: true },
        },
        error: "Payments API answered 502 Bad Gateway\nretry budget exhausted",
      },
      {
        type: "span",
        id: "db-read",
        runId,
        parentId: "lookup-db",
        name: "read orders table",
        kind: "code",
        startedAt: iso(t0 + 1_700),
        endedAt: iso(t0 + 1_800),
        status: "success",
      },
    ]);
    await expect.poll(() => spanIds(page)).toEqual(["root", "decide", "lookup", "payments", "db-read"]);
    expect(await spanRow(page, "db-read").getAttribute("aria-level")).toBe("1");
    await expect.poll(() => spanRow(page, "decide").getAttribute("data-status")).toBe("success");
    expect(await spanRow(page, "lookup").getAttribute("data-status")).toBe("running");
    expect(await spanRow(page, "payments").getAttribute("data-status")).toBe("error");

    // The missing parent arrives: the orphan moves under it.
    await ingest([
      {
        type: "span",
        id: "lookup-db",
        runId,
        parentId: "lookup",
        name: "orders db",
        kind: "custom",
        startedAt: iso(t0 + 1_650),
      },
    ]);
    await expect.poll(() => spanIds(page)).toEqual(["root", "decide", "lookup", "lookup-db", "db-read", "payments"]);
    expect(await spanRow(page, "db-read").getAttribute("aria-level")).toBe("4");

    // The failed span shows its error; the LLM span its input, as chat bubbles and as JSON.
    await spanRow(page, "payments").click();
    await expect
      .poll(() => page.getByTestId("span-error").textContent())
      .toContain("Payments API answered 502 Bad Gateway");
    await page.getByTestId("span-input-json").waitFor();
    expect(await page.getByTestId("span-input-json").textContent()).toContain("payments.example/refunds");
    // Its input is big enough to search: with everything folded, a match is highlighted and its branch opens.
    const input = page.getByTestId("span-input-json");
    await input.getByRole("button", { name: "Expand all" }).click();
    await input.getByRole("button", { name: "Collapse all" }).click();
    expect(await input.textContent()).not.toContain("transit");
    await page.getByLabel("Search Input").fill("transit");
    await expect.poll(() => input.locator("mark").allTextContents()).toEqual(["transit"]);
    await spanRow(page, "decide").click();
    await page.getByTestId("chat-messages").waitFor();
    expect(await page.getByTestId("chat-message").allTextContents()).toEqual([
      expect.stringContaining("You decide refunds."),
      expect.stringContaining("My parcel arrived broken"),
    ]);
    expect(await page.getByTestId("chat-reply").textContent()).toContain("Approve a full refund.");
    expect(await page.getByTestId("span-input-json").textContent()).toContain("My parcel arrived broken");
    await page.waitForURL(/[?&]span=decide/);

    // The keyboard walks the tree.
    await page.getByTestId("span-tree").focus();
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => page.getByTestId("span-panel").getAttribute("data-span-id")).toBe("lookup");

    // The run finishes: everything settles, the totals and the run's output come in.
    await ingest([
      { ...run, status: "success", endedAt: iso(t0 + 3_000), output: { refunded: true, amount: 129 } },
      {
        type: "span",
        id: "root",
        runId,
        name: "refund agent",
        kind: "custom",
        status: "success",
        startedAt: iso(t0),
        endedAt: iso(t0 + 3_000),
      },
      {
        type: "span",
        id: "lookup",
        runId,
        name: "lookup order",
        kind: "tool",
        status: "success",
        startedAt: iso(t0 + 1_500),
        endedAt: iso(t0 + 2_500),
      },
      {
        type: "span",
        id: "lookup-db",
        runId,
        name: "orders db",
        kind: "custom",
        status: "success",
        startedAt: iso(t0 + 1_650),
        endedAt: iso(t0 + 1_900),
      },
    ]);
    await expect.poll(() => page.getByTestId("run-header").getAttribute("data-status")).toBe("success");
    await expect.poll(() => page.locator('[data-testid="span-row"][data-status="running"]').count()).toBe(0);
    expect(await page.getByTestId("run-span-count").textContent()).toContain("6");
    expect(await page.getByTestId("run-error-count").textContent()).toContain("1");
    await page.keyboard.press("Escape");
    await page.getByTestId("run-panel").waitFor();
    await expect.poll(() => page.getByTestId("run-output-json").textContent()).toContain("refunded");
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: string }).marker)).toBe("same page");

    expect(problems).toEqual([]);
  });
});
