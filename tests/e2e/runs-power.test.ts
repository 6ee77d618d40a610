import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { describeInBrowser, watchProblems } from "../helpers/browser-suite.ts";
import type { PageElement } from "../helpers/browser.ts";
import { type Account, iso, signUpWithKey } from "./runs-helpers.ts";

type InPage = { navigator: { clipboard: { readText(): Promise<string> } } };
type Axe = { run(): Promise<{ violations: { id: string; impact: string | null; nodes: unknown[] }[] }> };

const rowIds = (page: Page) =>
  page
    .locator('[data-testid="run-row"]')
    .evaluateAll((rows: PageElement[]) => rows.map((r) => r.getAttribute("data-run-id")));

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical findings on the page as it is (evaluated by the browser, past the page's CSP). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const { violations } = await page.evaluate(() => (globalThis as unknown as { axe: Axe }).axe.run());
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.nodes.length})`);
}

const T0 = Date.now() - 3600_000;

/** Three production runs (one failed), and a replay of the failed one. */
async function sendRuns({ ingest }: Account) {
  const span = (runId: string, id: string, name: string, at: number, o: Record<string, unknown> = {}) => ({
    type: "span",
    id,
    runId,
    parentId: id.endsWith("-root") ? null : `${runId}-root`,
    name,
    kind: "llm",
    status: "success",
    startedAt: iso(at),
    endedAt: iso(at + 100),
    model: "echos/sim",
    inputTokens: 100,
    outputTokens: 20,
    ...o,
  });
  await ingest([
    {
      type: "run",
      id: "refund-1",
      name: "refund agent",
      status: "error",
      startedAt: iso(T0),
      endedAt: iso(T0 + 2000),
      input: { ticket: "Refund order 1234" },
      error: "Order not found",
      workflowVersionId: "refund@aaaaaaaaaaaa",
    },
    span("refund-1", "refund-1-root", "refund", T0, { kind: "agent", model: undefined }),
    span("refund-1", "refund-1-classify", "classify", T0 + 10, { output: "category: refund", costUsd: 0.002 }),
    span("refund-1", "refund-1-lookup", "lookup order", T0 + 200, {
      kind: "tool",
      status: "error",
      error: "Order not found",
      costUsd: 0.001,
    }),
    {
      type: "run",
      id: "refund-2",
      name: "refund agent",
      status: "success",
      startedAt: iso(T0 + 60_000),
      endedAt: iso(T0 + 61_000),
      input: { ticket: "Refund order 5678" },
      output: "Your refund of order 5678 is on its way.",
      workflowVersionId: "refund@aaaaaaaaaaaa",
    },
    span("refund-2", "refund-2-root", "refund", T0 + 60_000, { kind: "agent", model: undefined }),
    span("refund-2", "refund-2-classify", "classify", T0 + 60_010, { output: "category: refund", costUsd: 0.02 }),
    span("refund-2", "refund-2-lookup", "lookup order", T0 + 60_200, { kind: "tool", output: { found: true } }),
    span("refund-2", "refund-2-reply", "reply", T0 + 60_400, { output: "Your refund is on its way.", costUsd: 0.03 }),
    {
      type: "run",
      id: "research-1",
      name: "research digest",
      status: "success",
      startedAt: iso(T0 + 120_000),
      endedAt: iso(T0 + 120_500),
      input: "Summarise the report",
      output: "Revenue grew",
    },
    span("research-1", "research-1-root", "research", T0 + 120_000, { costUsd: 0.01 }),
  ]);
  await ingest([
    {
      type: "run",
      id: "refund-1-replay",
      name: "refund agent",
      status: "success",
      startedAt: iso(T0 + 180_000),
      endedAt: iso(T0 + 181_000),
      replayOf: "refund-1",
      replayFromStep: "lookup order",
    },
  ]);
}

describeInBrowser("the Runs list's power tools", (server) => {
  /** The two longest journeys walk several pages each: they get more than the default 30 s budget. */
  const LONG_JOURNEY_MS = 90_000;
  /** The account the journeys share: signed up and sent its runs by the first. */
  let session = "";
  const signedIn = (extra: { permissions?: string[] } = {}) =>
    server.openPage({ timeoutMs: 10_000, session, ...extra });

  it("keeps replays out of the default list and shows them, with their original, under the replays filter", async () => {
    const { context, page } = await server.openPage({ timeoutMs: 10_000 });
    const problems = watchProblems(page);
    await sendRuns(await signUpWithKey(context, server.url, "runs-power"));
    session = (await context.cookies()).find((c) => c.name === "echos_session")!.value;

    await page.goto(`${server.url}/runs`);
    await expect.poll(() => rowIds(page)).toEqual(["research-1", "refund-2", "refund-1"]);
    await page.getByTestId("origin-filter").selectOption("replays");
    await expect.poll(() => rowIds(page)).toEqual(["refund-1-replay"]);
    expect(page.url()).toContain("origin=replays");
    expect(await page.getByTestId("replay-original").textContent()).toBe("refund-1");
    await page.getByTestId("origin-filter").selectOption("all");
    await expect.poll(() => rowIds(page)).toEqual(["refund-1-replay", "research-1", "refund-2", "refund-1"]);
    expect(problems).toEqual([]);
  });

  it(
    "sorts by cost both ways and downloads the filtered list as CSV",
    async () => {
      const { page } = await signedIn();
      const problems = watchProblems(page);
      await page.goto(`${server.url}/runs`);
      await expect.poll(() => rowIds(page)).toEqual(["research-1", "refund-2", "refund-1"]);
      await page.getByTestId("sort-cost").click();
      await expect.poll(() => rowIds(page)).toEqual(["refund-2", "research-1", "refund-1"]);
      expect(new URL(page.url()).searchParams.get("sort")).toBe("cost");
      expect(await page.locator("th[aria-sort]").getAttribute("aria-sort")).toBe("descending");
      await page.getByTestId("sort-cost").click();
      await expect.poll(() => rowIds(page)).toEqual(["refund-1", "research-1", "refund-2"]);
      expect(await seriousViolations(page)).toEqual([]);

      await page.getByTestId("status-filter-success").click();
      await expect.poll(() => rowIds(page)).toEqual(["research-1", "refund-2"]);
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
      expect(download.suggestedFilename()).toMatch(/^echos-runs-\d{4}-\d{2}-\d{2}\.csv$/);
      const csv = (await readFile(await download.path(), "utf8")).trimEnd().split("\r\n");
      expect(csv[0]).toMatch(/^id,name,status,/);
      expect(csv.slice(1).map((line) => line.split(",")[0])).toEqual(["research-1", "refund-2"]);
      expect(problems).toEqual([]);
    },
    LONG_JOURNEY_MS,
  );

  it(
    "compares two runs picked with the keyboard: inputs, outputs and a diff of each span",
    async () => {
      const { page } = await signedIn();
      const problems = watchProblems(page);
      await page.goto(`${server.url}/runs`);
      await expect.poll(() => rowIds(page)).toEqual(["research-1", "refund-2", "refund-1"]);
      const box = (id: string) => page.locator(`[data-run-id="${id}"] [data-testid="run-select"]`);
      await box("refund-1").focus();
      await page.keyboard.press("Space");
      await box("refund-2").focus();
      await page.keyboard.press("Space");
      expect(await page.getByTestId("runs-selected").textContent()).toBe("2 selected");
      await page.getByTestId("compare-runs").click();
      await page.getByRole("heading", { name: "Compare runs" }).waitFor();
      expect(await page.getByTestId("compare-run-a").textContent()).toContain("refund-1");
      expect(await page.getByTestId("compare-run-b").textContent()).toContain("refund-2");
      const input = page.getByTestId("compare-input");
      expect(await input.locator("del").allTextContents()).toContain("1234");
      expect(await input.locator("ins").allTextContents()).toContain("5678");
      expect(await page.getByTestId("compare-output").textContent()).toContain(
        "Your refund of order 5678 is on its way.",
      );
      const spans = page.getByTestId("compare-span");
      expect(await spans.evaluateAll((els: PageElement[]) => els.map((e) => e.getAttribute("data-key")))).toEqual([
        "refund#0",
        "refund#0/classify#0",
        "refund#0/lookup order#0",
        "refund#0/reply#0",
      ]);
      expect(await page.getByTestId("compare-span-state").allTextContents()).toEqual([
        "same",
        "same",
        "changed",
        "only in B",
      ]);
      await spans.nth(2).locator("summary").click();
      expect(await spans.nth(2).getByTestId("compare-span-output").locator("ins").textContent()).toContain("found");
      expect(await seriousViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
    },
    LONG_JOURNEY_MS,
  );

  it("copies a link to a span that opens the run with that span selected, and a link to the run", async () => {
    const { page } = await signedIn({ permissions: ["clipboard-read", "clipboard-write"] });
    const problems = watchProblems(page);
    const clipboard = () => page.evaluate(() => (globalThis as unknown as InPage).navigator.clipboard.readText());
    await page.goto(`${server.url}/runs/refund-2?span=refund-2-lookup`);
    await expect.poll(() => page.getByTestId("span-panel-name").textContent()).toBe("lookup order");
    await page.getByRole("button", { name: "Copy link to span" }).click();
    await expect.poll(clipboard).toBe(`${server.url}/runs/refund-2?span=refund-2-lookup`);
    const spanLink = await clipboard();
    await page.getByRole("button", { name: "Copy link to run" }).click();
    await expect.poll(clipboard).toBe(`${server.url}/runs/refund-2`);
    await page.goto(`${server.url}/runs/refund-1`);
    await page.getByTestId("run-name").waitFor();
    await page.goto(spanLink);
    await expect.poll(() => page.getByTestId("span-panel-name").textContent()).toBe("lookup order");
    expect(problems).toEqual([]);
  });
});
