import { expect, it } from "vitest";
import { EchosClient } from "../../sdk/client.ts";
import { defineWorkflow, EchosRuntime } from "../../sdk/workflow.ts";
import { SIM_MODEL } from "@shared/workflow/sim-model.ts";
import type { PageElement } from "../helpers/browser.ts";
import { describeInBrowser, watchProblems } from "../helpers/browser-suite.ts";
import { signUpOverHttp } from "../helpers/http-user.ts";

/** A support triage whose order lookup fails for unknown orders; its steps run in this order. */
const STEPS = ["classify", "order", "urgency", "draft", "send"];
const triage = defineWorkflow({
  name: `support-triage-${Date.now()}`,
  steps: [
    { id: "classify", type: "llm", model: SIM_MODEL, prompt: "Classify: {{input.text}}" },
    { id: "order", type: "tool", tool: "lookupOrder", args: { orderId: "{{input.orderId}}" } },
    { id: "urgency", type: "tool", tool: "rateUrgency", args: { text: "{{input.text}}" } },
    { id: "draft", type: "llm", model: SIM_MODEL, prompt: "Reply to: {{input.text}}" },
    { id: "send", type: "tool", tool: "sendEmail", args: { body: "{{steps.draft}}" }, sideEffects: true },
  ],
});

describeInBrowser("Overview, Workflows and run detail", (server) => {
  let session = "";
  let runtime: EchosRuntime;
  let client: EchosClient;
  const ids: { ok: string[]; failed: string } = { ok: [], failed: "" };

  it("keeps the Overview on production runs: a replay changes neither its numbers nor Needs attention", async () => {
    const account = await signUpOverHttp(server.url, "overview-workflows");
    session = account.token;
    client = new EchosClient({ apiKey: account.key, apiUrl: server.url, flushIntervalMs: 60_000 });
    runtime = new EchosRuntime({
      client,
      apiKey: account.key,
      tools: {
        lookupOrder: (args) => {
          const { orderId } = args as { orderId: string };
          if (orderId === "missing") throw new Error(`Order ${orderId} not found`);
          return { orderId, status: "delivered" };
        },
        rateUrgency: () => "high",
        sendEmail: () => ({ sent: true }),
      },
    });
    for (const orderId of ["A-1", "A-2"]) {
      const result = await runtime.run(triage, { text: "My parcel arrived broken, please help", orderId });
      expect(result.status, JSON.stringify(result)).toBe("success");
      ids.ok.push(result.runId);
    }
    const failed = await runtime.run(triage, { text: "Where is my order?", orderId: "missing" });
    expect(failed.status).toBe("error");
    ids.failed = failed.runId;
    expect(await client.flush()).toBe(true);

    const { page } = await server.openPage({ session, timeoutMs: 15_000 });
    const problems = watchProblems(page);
    const attention = page.getByTestId("recent-errors").locator(`a[href^="/runs/"]`);
    await page.goto(`${server.url}/`);
    await expect.poll(() => page.getByTestId("stat-runs").textContent()).toBe("3");
    expect(await page.getByTestId("stat-error-rate").textContent()).toBe("33.3%");
    await expect.poll(() => attention.count()).toBe(1);

    // A replay of the failed run, from the step that failed, as the SDK's runtime.replay() records it: it fails too.
    const replay = await runtime.run(
      triage,
      { text: "Where is my order?", orderId: "missing" },
      { replayOf: { runId: ids.failed, stepId: "order" } },
    );
    expect(replay.status).toBe("error");
    expect(await client.flush()).toBe(true);

    await page.reload();
    await page.getByTestId("overview-replays").waitFor();
    expect(await page.getByTestId("overview-replays").textContent()).toMatch(/1 replay in .* is left out/);
    expect(await page.getByTestId("stat-runs").textContent()).toBe("3");
    expect(await page.getByTestId("stat-error-rate").textContent()).toBe("33.3%");
    // The charts and the list come with a chunk of their own, after the numbers.
    await expect.poll(() => attention.count()).toBe(1);
    expect(await attention.first().getAttribute("href")).toBe(`/runs/${ids.failed}`);
    // The error rate is a bar per bucket with runs: one bucket here.
    const bars = page.locator('[data-testid="chart-error-rate"] .recharts-bar-rectangle path');
    await expect.poll(() => bars.count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it("lists the workflow with its version and production runs, links to its runs, and shows its steps in order", async () => {
    expect(session).not.toBe("");
    const { page } = await server.openPage({ session, timeoutMs: 15_000 });
    const problems = watchProblems(page);
    await page.goto(`${server.url}/workflows`);
    const card = page.locator(`[data-testid="workflow"][data-workflow="${triage.name}"]`);
    await card.waitFor();
    // Three production runs; the replay is not one of them.
    expect(await card.getByTestId("workflow-run-count").textContent()).toBe("3");
    expect(await card.getByText("33.3%").count()).toBeGreaterThan(0);
    const version = card.getByTestId("workflow-version");
    expect(await version.count()).toBe(1);
    expect(await version.getAttribute("data-version-id")).toMatch(new RegExp(`^${triage.name}@[0-9a-f]{12}$`));

    await version.getByRole("button", { name: "Definition" }).click();
    const steps = card.getByTestId("workflow-definition").getByTestId("workflow-step");
    await expect.poll(() => steps.count()).toBe(STEPS.length);
    expect(await steps.last().textContent()).toMatch(/send.*sendEmail.*side effect/);

    await card.getByTestId("workflow-runs-link").click();
    await page.waitForURL((url) => url.pathname === "/runs" && url.searchParams.get("workflow") === triage.name);

    // A run's span tree is in execution order.
    await page.goto(`${server.url}/runs/${ids.ok[0]}`);
    const rows = page.getByTestId("span-row");
    await expect.poll(() => rows.count()).toBe(STEPS.length);
    const names = await rows.evaluateAll((nodes: PageElement[]) =>
      nodes.map((n) => n.querySelector("span[title]")?.textContent ?? ""),
    );
    expect(names).toEqual(STEPS);
    expect(problems).toEqual([]);
  });

  it("shows run detail on a 390 × 844 phone without sideways scrolling, the run's name whole", async () => {
    expect(ids.failed).not.toBe("");
    const { page } = await server.openPage({ session, timeoutMs: 15_000 });
    const problems = watchProblems(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/runs/${ids.failed}`);
    await page.getByTestId("span-row").first().waitFor();
    const pageWidth = await page
      .locator("html")
      .evaluate((html: PageElement & { scrollWidth: number }) => html.scrollWidth);
    expect(pageWidth).toBeLessThanOrEqual(390);
    const title = page.getByTestId("run-name");
    const box = await title.boundingBox();
    expect(box?.width).toBeGreaterThan(100);
    expect(await title.textContent()).toBe(triage.name);
    // Axis labels are distinct and none overlaps the next.
    const labels = await page
      .getByTestId("waterfall-axis")
      .locator("span")
      .evaluateAll((nodes: PageElement[]) =>
        nodes.map((n) => {
          const { x, width } = n.getBoundingClientRect();
          return { text: n.textContent, left: x, right: x + width };
        }),
      );
    expect(labels.length).toBeGreaterThan(1);
    expect(new Set(labels.map((l) => l.text)).size).toBe(labels.length);
    for (let i = 1; i < labels.length; i++) expect(labels[i]!.left).toBeGreaterThanOrEqual(labels[i - 1]!.right);
    expect(problems).toEqual([]);
  });
});
