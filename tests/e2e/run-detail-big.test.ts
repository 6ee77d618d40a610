import { expect, it } from "vitest";
import { describeInBrowser, watchProblems } from "../helpers/browser-suite.ts";
import type { PageElement } from "../helpers/browser.ts";
import { iso, signUpWithKey } from "./runs-helpers.ts";

const SPANS = 10_000;
const BATCH = 1_000;
const KINDS = ["llm", "tool", "code", "http", "custom"] as const;

/** A run of 10,000 spans: a root, 100 steps under it, 99 children under each step; every 997th span failed. */
function bigRun(runId: string, t0: number) {
  const items: unknown[] = [
    {
      type: "run",
      id: runId,
      name: "bulk embedding",
      status: "success",
      startedAt: iso(t0),
      endedAt: iso(t0 + 600_000),
    },
    {
      type: "span",
      id: "s0",
      runId,
      name: "root",
      status: "success",
      startedAt: iso(t0),
      endedAt: iso(t0 + 600_000),
    },
  ];
  for (let i = 1; i < SPANS; i++) {
    const step = i % 100 === 1;
    const start = t0 + Math.floor((i / SPANS) * 590_000);
    const kind = KINDS[i % KINDS.length]!;
    items.push({
      type: "span",
      id: `s${i}`,
      runId,
      parentId: step ? "s0" : `s${i - ((i - 1) % 100)}`,
      name: `${kind} step ${i}`,
      kind,
      status: i % 997 === 0 ? "error" : "success",
      error: i % 997 === 0 ? "Timed out after 30 s" : null,
      startedAt: iso(start),
      endedAt: iso(start + 100 + (i % 7) * 300),
      model: kind === "llm" ? "gpt-4o-mini" : null,
      inputTokens: kind === "llm" ? 100 : null,
      outputTokens: kind === "llm" ? 20 : null,
    });
  }
  return items;
}

describeInBrowser("a 10,000-span run", (server) => {
  it("renders quickly, scrolls to the last span and stays responsive", async () => {
    const { context, page } = await server.openPage({ timeoutMs: 20_000 });
    const problems = watchProblems(page);
    const { ingest } = await signUpWithKey(context, server.url, "big-run");
    const runId = "run-10k";
    const items = bigRun(runId, Date.now() - 700_000);
    const ingestStart = Date.now();
    for (let i = 0; i < items.length; i += BATCH) await ingest(items.slice(i, i + BATCH));
    const ingestMs = Date.now() - ingestStart;

    // Open it from the list, as a person would: the tree's first paint is measured by the page itself.
    await page.goto(`${server.url}/runs`);
    const opened = Date.now();
    await page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`).click();
    const tree = page.getByTestId("span-tree");
    await expect.poll(() => tree.getAttribute("data-rows"), { timeout: 20_000 }).toBe(String(SPANS));
    const wallMs = Date.now() - opened;
    const renderMs = await page.evaluate(
      () => performance.getEntriesByName("echos:run-detail-render")[0]?.duration ?? null,
    );
    expect(renderMs).not.toBeNull();
    // Only the rows on screen (plus a few) are in the document.
    const mounted = await page.locator('[data-testid="span-row"]').count();
    expect(mounted).toBeLessThan(120);
    expect(await page.getByTestId("run-span-count").textContent()).toContain("10,000");
    expect(await page.getByTestId("run-error-count").textContent()).toContain("10");

    // The keyboard reaches the last span, which is then on screen.
    await tree.focus();
    const endStart = Date.now();
    await page.keyboard.press("End");
    const last = page.locator('[data-testid="span-row"][data-span-id="s9999"]');
    await expect.poll(() => last.getAttribute("aria-selected")).toBe("true");
    const endMs = Date.now() - endStart;
    expect(await last.isVisible()).toBe(true);
    await expect.poll(() => page.getByTestId("span-panel").getAttribute("data-span-id")).toBe("s9999");

    // Holding the arrow key walks the tree without stalling.
    const walkStart = Date.now();
    for (let i = 0; i < 30; i++) await page.keyboard.press("ArrowUp");
    await expect
      .poll(() => page.locator('[data-testid="span-row"][aria-selected="true"]').getAttribute("data-span-id"))
      .toBe("s9969");
    const walkMs = Date.now() - walkStart;

    // Scrolling by hand (the wheel, the scrollbar) reaches the top and the bottom too.
    await tree.evaluate((el: PageElement) => (el.scrollTop = 0));
    await page.locator('[data-testid="span-row"][data-span-id="s0"]').waitFor();
    await tree.evaluate((el: PageElement) => (el.scrollTop = el.scrollHeight));
    await last.waitFor();

    // Folding the root hides its 9,999 descendants at once.
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => tree.getAttribute("data-rows")).toBe("1");
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => tree.getAttribute("data-rows")).toBe(String(SPANS));

    console.log(
      `10,000-span run: ingest ${ingestMs} ms; tree painted ${Math.round(renderMs!)} ms after the page mounted ` +
        `(click → all rows ${wallMs} ms); End → last row selected ${endMs} ms; 30 × ArrowUp ${walkMs} ms`,
    );
    expect(renderMs!).toBeLessThan(10_000);
    expect(problems).toEqual([]);
  });
});
