import type { BrowserContext, Page } from "playwright-core";
import { expect, it } from "vitest";
import { EchosClient } from "../../sdk/client.ts";
import { span, trace } from "../../sdk/trace.ts";
import { defineWorkflow, EchosRuntime } from "../../sdk/workflow.ts";
import { SIM_MODEL } from "@shared/workflow/sim-model.ts";
import { signUpWithKey } from "./runs-helpers.ts";
import { ZMeOverHttp, trpcResult } from "../helpers/trpc-wire.ts";
import { describeInBrowser, watchProblems } from "../helpers/browser-suite.ts";
import { ZRunPage } from "@shared/schemas/runs.ts";

/** A refund helper whose last step rejects the reply it drafted: a failed run worth a Test fix. */
const refundHelper = defineWorkflow({
  name: `refund-helper-${Date.now()}`,
  steps: [
    {
      id: "classify",
      type: "llm",
      model: SIM_MODEL,
      system: "Answer with one category: billing, shipping or other.",
      prompt: "Ticket: {{input.text}}",
    },
    { id: "lookup", type: "tool", tool: "lookupOrder", args: { orderId: "{{input.orderId}}" } },
    {
      id: "answer",
      type: "llm",
      model: SIM_MODEL,
      system: "You write short support replies.",
      prompt: "Reply to: {{input.text}}",
      temperature: 0.7,
      latencyMs: 300,
    },
    {
      id: "check",
      type: "code",
      code: 'if (!/voucher/.test(input.answer)) throw new Error("the reply does not offer the voucher"); return true;',
    },
  ],
});

const stepCard = (page: Page, id: string) => page.locator(`[data-testid="replay-step"][data-step-id="${id}"]`);

describeInBrowser("Test fix and the playground", (server) => {
  it("replays a failed workflow run from its LLM step with a new prompt, streams it, and diffs the fixed step", async () => {
    const { context, page } = await server.openPage({ timeoutMs: 15_000 });
    const problems = watchProblems(page);
    const { key: apiKey } = await signUpWithKey(context, server.url, "replay");
    const client = new EchosClient({ apiKey, apiUrl: server.url, flushIntervalMs: 60_000 });
    const runtime = new EchosRuntime({
      client,
      apiKey,
      tools: { lookupOrder: (args) => ({ ...(args as object), status: "delivered", total: 42 }) },
    });
    expect(await runtime.registerWorkflow(refundHelper)).toBe(true);
    const result = await runtime.run(refundHelper, { text: "My parcel arrived broken", orderId: "A-17" });
    expect(result.status).toBe("error");
    await client.flush();

    // The failed run: select the LLM step and press Test fix.
    await page.goto(`${server.url}/runs/${result.runId}`);
    await page.locator('[data-testid="span-row"]', { hasText: "answer" }).click();
    await page.getByTestId("span-panel").getByTestId("test-fix").click();
    await expect.poll(() => page.url()).toMatch(/\/replay\?step=answer/);
    await page.getByTestId("fork-step-form").waitFor();
    expect(await page.getByTestId("field-prompt").inputValue()).toBe("Reply to: {{input.text}}");

    // Steps before the fork are locked to the recording (the tool step too); the step after it runs live.
    const policy = (id: string) =>
      page.locator(`[data-testid="policy-step"][data-step-id="${id}"]`).getAttribute("data-policy");
    expect(await policy("classify")).toBe("recorded");
    expect(await policy("lookup")).toBe("recorded");
    expect(await policy("answer")).toBe("live");
    expect(await policy("check")).toBe("live");

    const newPrompt = "Apologise, offer a voucher for the broken parcel, and reply to: {{input.text}}";
    await page.getByTestId("field-prompt").fill(newPrompt);
    expect(await page.getByTestId("override-count").textContent()).toBe("1 field changed");
    await page.getByTestId("variant-label").fill("voucher prompt");
    await page.getByTestId("run-replay").click();

    // The replay streams in: the recorded steps are marked and do not spin, the fork step runs live.
    const variant = page.getByTestId("replay-variant");
    await variant.waitFor();
    await expect.poll(() => page.url()).toMatch(/variants=/);
    await expect.poll(() => stepCard(page, "classify").getAttribute("data-policy")).toBe("recorded");
    expect(await stepCard(page, "classify").getByTestId("step-policy-badge").textContent()).toContain(
      "recorded · from the original",
    );
    expect(await stepCard(page, "classify").getByTestId("step-spinner").count()).toBe(0);
    await expect.poll(() => stepCard(page, "answer").getAttribute("data-policy")).toBe("live");

    // Finished: the comparison marks the fork step changed and shows its diff against the original answer.
    await expect.poll(() => variant.getAttribute("data-status"), { timeout: 30_000 }).not.toBe("running");
    await expect.poll(() => stepCard(page, "answer").getAttribute("data-changed")).toBe("true");
    const diff = stepCard(page, "answer").getByTestId("step-diff");
    expect(await diff.locator("ins").count()).toBeGreaterThan(0);
    expect(await diff.locator("del").count()).toBeGreaterThan(0);
    expect(await stepCard(page, "classify").getAttribute("data-changed")).toBe("false");
    expect(await page.getByTestId("first-divergence").textContent()).toBe("answer");
    expect(await stepCard(page, "answer").getAttribute("data-first-divergence")).toBe("true");

    // The replay is a run of its own, linked to its parent and fork step; the original lists it in its fork tree.
    const replayId = await variant.getAttribute("data-replay-id");
    await page.goto(`${server.url}/runs/${replayId}`);
    await page.getByTestId("replay-lineage").waitFor();
    expect(await page.getByTestId("replay-lineage").textContent()).toContain("answer");
    await page.getByTestId("replay-parent-link").click();
    await expect.poll(() => page.url()).toMatch(new RegExp(`/runs/${result.runId}$`));
    // The tree's nodes arrive with their query, after the section itself.
    await expect.poll(() => page.getByTestId("fork-node").count()).toBe(2);
    expect(await page.locator(`[data-testid="fork-node"][data-run-id="${replayId}"]`).textContent()).toContain(
      "voucher prompt",
    );

    expect(problems).toEqual([]);
  });

  it("re-runs an LLM span of a trace() run in the playground with an edited message, and diffs its answer", async () => {
    const { context, page } = await server.openPage({ timeoutMs: 15_000 });
    const problems = watchProblems(page);
    const { key: apiKey } = await signUpWithKey(context, server.url, "playground");
    const client = new EchosClient({ apiKey, apiUrl: server.url, flushIntervalMs: 60_000 });
    const messages = [
      { role: "system", content: "You summarise inboxes." },
      { role: "user", content: "Summarise: two billing questions and a shipping delay." },
    ];
    let runId = "";
    await trace(
      "inbox digest",
      async () => {
        await span("write digest", () => "Two billing questions; one shipping delay.", {
          kind: "llm",
          model: SIM_MODEL,
          input: { messages },
          config: { temperature: 0.4 },
        });
      },
      { client },
    );
    await client.flush();
    const list = trpcResult(ZRunPage).parse(
      await (
        await context.request.get(
          `${server.url}/trpc/runs.list?input=${encodeURIComponent(JSON.stringify({ orgId: await orgIdOf(context, server.url) }))}`,
        )
      ).json(),
    );
    runId = list.result.data.items.find((r) => r.name === "inbox digest")!.id;

    await page.goto(`${server.url}/runs/${runId}`);
    await page.locator('[data-testid="span-row"]', { hasText: "write digest" }).click();
    await page.getByTestId("span-panel").getByTestId("open-playground").click();
    await expect.poll(() => page.url()).toMatch(/\/playground\?span=/);
    const contents = page.getByTestId("playground-content");
    await expect.poll(() => contents.count()).toBe(2);
    expect(await contents.nth(1).inputValue()).toBe(messages[1]!.content);
    await contents.nth(1).fill("Summarise in French: two billing questions, a refund request and a shipping delay.");
    await page.getByTestId("run-playground").click();

    const variant = page.getByTestId("replay-variant");
    await variant.waitFor();
    await expect.poll(() => variant.getAttribute("data-status"), { timeout: 30_000 }).toBe("success");
    const card = variant.getByTestId("replay-step").first();
    await expect.poll(() => card.getAttribute("data-changed")).toBe("true");
    expect(await card.getByTestId("step-diff").locator("ins").count()).toBeGreaterThan(0);

    expect(problems).toEqual([]);
  });
});

async function orgIdOf(context: BrowserContext, baseUrl: string): Promise<string> {
  const me = trpcResult(ZMeOverHttp).parse(await (await context.request.get(`${baseUrl}/trpc/auth.me`)).json());
  return me.result.data.orgs[0]!.id;
}
