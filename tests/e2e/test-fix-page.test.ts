import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { EchosClient } from "../../sdk/client.ts";
import { span, trace } from "../../sdk/trace.ts";
import { defineWorkflow, EchosRuntime } from "../../sdk/workflow.ts";
import { SIM_MODEL } from "@shared/workflow/sim-model.ts";
import { ZRunPage } from "@shared/schemas/runs.ts";
import { signUpWithKey } from "./runs-helpers.ts";
import { trpcResult } from "../helpers/trpc-wire.ts";
import { describeInBrowser, watchProblems } from "../helpers/browser-suite.ts";

/** Like the demo's support triage: the order lookup fails, so the reply is never sent. */
const triage = defineWorkflow({
  name: `triage-${Date.now()}`,
  steps: [
    { id: "classify", type: "llm", model: SIM_MODEL, prompt: "Classify: {{input.text}}" },
    { id: "order", type: "tool", tool: "lookupOrder", args: { orderId: "{{input.orderId}}" } },
    { id: "draft", type: "llm", model: SIM_MODEL, prompt: "Reply to {{input.text}} about {{steps.order.output}}" },
    { id: "send", type: "tool", tool: "sendReply", args: { text: "{{steps.draft.output}}" }, sideEffects: true },
  ],
});

const planAction = (page: Page, id: string) =>
  page.locator(`[data-testid="plan-step"][data-step-id="${id}"]`).getAttribute("data-action");

describeInBrowser("The Test fix page and the playground entry", (server) => {
  it("shows the failed step's error, input and config beside the editor, and the plan before Run", async () => {
    const { context, page } = await server.openPage({ timeoutMs: 15_000 });
    const problems = watchProblems(page);
    const { key: apiKey } = await signUpWithKey(context, server.url, "fixpage");
    const client = new EchosClient({ apiKey, apiUrl: server.url, flushIntervalMs: 60_000 });
    const runtime = new EchosRuntime({
      client,
      apiKey,
      tools: {
        lookupOrder: (args) => {
          throw new Error(`Order ${(args as { orderId: string }).orderId} not found`);
        },
        sendReply: () => ({ sent: true }),
      },
    });
    expect(await runtime.registerWorkflow(triage)).toBe(true);
    const result = await runtime.run(triage, { text: "Where is my parcel?", orderId: "A-1999" });
    expect(result.status).toBe("error");
    await client.flush();

    // An LLM step of a workflow run offers both the Test fix and the playground.
    await page.goto(`${server.url}/runs/${result.runId}`);
    await page.locator('[data-testid="span-row"]', { hasText: "classify" }).click();
    const panel = page.getByTestId("span-panel");
    await panel.getByTestId("open-playground").waitFor();
    expect(await panel.getByTestId("test-fix").count()).toBe(1);

    await page.getByTestId("run-header").getByTestId("test-fix").click();
    await expect.poll(() => page.url()).toMatch(/\/replay$/);

    // The step that failed is the fork, and the original beside the editor says why.
    const original = page.getByTestId("original-step");
    await original.waitFor();
    expect(await original.getAttribute("data-step-id")).toBe("order");
    expect(await page.getByTestId("original-error").textContent()).toContain("Order A-1999 not found");
    expect(await page.getByTestId("original-input-json").textContent()).toContain("A-1999");
    expect(await page.getByTestId("original-config-json").textContent()).toContain("lookupOrder");
    await page.getByTestId("original-run-input").locator("summary").click();
    expect(await page.getByTestId("original-run-input-json").textContent()).toContain("Where is my parcel?");

    // Before Run: classify comes from the recording, order and draft run, the reply the original never sent is held.
    expect(await planAction(page, "classify")).toBe("recorded");
    expect(await planAction(page, "order")).toBe("live");
    expect(await planAction(page, "draft")).toBe("live");
    expect(await planAction(page, "send")).toBe("held");
    expect(
      await page.locator('[data-testid="plan-step"][data-step-id="send"] [data-testid="plan-note"]').textContent(),
    ).toContain("would call the tool sendReply");
    expect(await page.getByTestId("plan-summary").textContent()).toBe("1 recorded · 2 live · 1 held");

    // Switching the side effect live in the form changes the plan; back to recorded holds it again.
    await page.getByTestId("policy-send").getByRole("radio", { name: "Live" }).click();
    await expect.poll(() => planAction(page, "send")).toBe("live");
    expect(await page.getByTestId("plan-summary").textContent()).toBe("1 recorded · 3 live");
    await page.getByTestId("policy-send").getByRole("radio", { name: "Recorded" }).click();
    await expect.poll(() => planAction(page, "send")).toBe("held");
    // …and so does the plan's own switch.
    await page.getByTestId("plan-switch-live").click();
    await expect.poll(() => page.getByTestId("policy-send").getAttribute("data-value")).toBe("live");

    // Forking at draft instead: order is past its failure, so the plan says the replay repeats it.
    await page.getByTestId("fork-step-select").selectOption("draft");
    await expect.poll(() => original.getAttribute("data-step-id")).toBe("draft");
    expect(await page.getByTestId("original-step").textContent()).toContain("never reached");
    expect(await planAction(page, "order")).toBe("recorded");
    expect(await page.locator('[data-testid="plan-step"][data-step-id="order"]').textContent()).toContain(
      "Failed in the original",
    );

    // On a phone everything stacks, without sideways scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect
      .poll(() => page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth"))
      .toBeLessThanOrEqual(0);

    expect(problems).toEqual([]);
  });

  it("opens the playground from a trace run's header, naming each LLM call by its span name", async () => {
    const { context, page } = await server.openPage({ timeoutMs: 15_000 });
    const problems = watchProblems(page);
    const { orgId, key: apiKey } = await signUpWithKey(context, server.url, "playground-entry");
    const client = new EchosClient({ apiKey, apiUrl: server.url, flushIntervalMs: 60_000 });
    await trace(
      "triage agent",
      async () => {
        await span("plan the answer", () => "Look the order up, then reply.", {
          kind: "llm",
          model: SIM_MODEL,
          input: { messages: [{ role: "user", content: "Plan: my parcel is late" }] },
        });
        await span("lookup order", () => ({ status: "in transit" }), { kind: "tool" });
        await span("write the reply", () => "Your parcel is on its way.", {
          kind: "llm",
          model: "gpt-4o-mini",
          input: {
            messages: [
              { role: "system", content: "You write short replies." },
              { role: "user", content: "My parcel is late" },
            ],
          },
        });
      },
      { client, input: { ticket: "My parcel is late" } },
    );
    await client.flush();
    const list = trpcResult(ZRunPage).parse(
      await (
        await context.request.get(`${server.url}/trpc/runs.list?input=${encodeURIComponent(JSON.stringify({ orgId }))}`)
      ).json(),
    );
    const runId = list.result.data.items.find((r) => r.name === "triage agent")!.id;

    await page.goto(`${server.url}/runs/${runId}`);
    const header = page.getByTestId("run-header");
    await header.getByTestId("run-playground-action").click();
    const items = page.getByTestId("playground-menu-item");
    await expect
      .poll(() => items.allTextContents())
      .toEqual(expect.arrayContaining(["plan the answerechos/sim", "write the replygpt-4o-mini"]));
    expect(await items.count()).toBe(2);
    await items.filter({ hasText: "write the reply" }).click();

    await expect.poll(() => page.url()).toMatch(/\/playground\?span=/);
    const banner = page.getByTestId("playground-banner");
    await banner.waitFor();
    expect(await page.getByTestId("playground-span-name").textContent()).toBe("write the reply");
    expect(await page.getByTestId("playground-span-model").textContent()).toBe("gpt-4o-mini");
    expect(await banner.textContent()).not.toContain(new URL(page.url()).searchParams.get("span")!);
    await expect.poll(() => page.getByTestId("playground-content").count()).toBe(2);
    expect(await page.getByTestId("playground-content").nth(1).inputValue()).toBe("My parcel is late");

    expect(problems).toEqual([]);
  });
});
