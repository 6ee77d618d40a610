import type { BrowserContext, Page } from "playwright-core";
import { expect, it } from "vitest";
import { EchosClient } from "../../sdk/client.ts";
import { defineWorkflow, EchosRuntime } from "../../sdk/workflow.ts";
import { SIM_MODEL } from "@shared/workflow/sim-model.ts";
import { signUpWithKey } from "./runs-helpers.ts";
import { describeInBrowser, watchProblems } from "../helpers/browser-suite.ts";

/** Drafts a reply, checks it offers the voucher, then notifies the ticket system: a side effect after the check. */
const voucherDesk = defineWorkflow({
  name: `voucher-desk-${Date.now()}`,
  steps: [
    {
      id: "answer",
      type: "llm",
      model: SIM_MODEL,
      system: "You write short support replies.",
      prompt: "Reply to: {{input.text}}",
    },
    {
      id: "check",
      type: "code",
      code: 'if (!/voucher/.test(input.answer)) throw new Error("the reply does not offer the voucher"); return true;',
    },
    {
      id: "notify",
      type: "http",
      method: "POST",
      url: "https://hooks.example.com/tickets/{{input.orderId}}",
      body: { reply: "{{steps.answer.output}}" },
    },
  ],
});

const stepCard = (page: Page, id: string) => page.locator(`[data-testid="replay-step"][data-step-id="${id}"]`);

async function record(context: BrowserContext, baseUrl: string, label: string, input: unknown) {
  const { key: apiKey } = await signUpWithKey(context, baseUrl, label);
  const client = new EchosClient({ apiKey, apiUrl: baseUrl, flushIntervalMs: 60_000 });
  // The ticket system the original run notifies: nothing leaves the machine.
  const fetch = (async () => new Response('{"ok":true}', { status: 200 })) as typeof globalThis.fetch;
  const runtime = new EchosRuntime({ client, apiKey, engine: { fetch } });
  expect(await runtime.registerWorkflow(voucherDesk)).toBe(true);
  const result = await runtime.run(voucherDesk, input);
  await client.flush();
  return result;
}

/** Edits the fork step's prompt on the Test fix page, runs it and waits for the variant to finish. */
async function replayWithPrompt(page: Page, baseUrl: string, runId: string, prompt: string) {
  await page.goto(`${baseUrl}/runs/${runId}/replay?step=answer`);
  await page.getByTestId("fork-step-form").waitFor();
  await page.getByTestId("field-prompt").fill(prompt);
  await page.getByTestId("run-replay").click();
  const variant = page.getByTestId("replay-variant");
  await variant.waitFor();
  await expect.poll(() => variant.getAttribute("data-status"), { timeout: 30_000 }).not.toBe("running");
  await variant.getByTestId("verdict-badge").waitFor();
  return variant;
}

describeInBrowser("Replay verdicts", (server) => {
  it("calls a fix of a failed run fixed, holding the side effect the original never reached", async () => {
    const { context, page } = await server.openPage({ timeoutMs: 15_000 });
    const problems = watchProblems(page);
    const original = await record(context, server.url, "verdict-fixed", {
      text: "My parcel arrived broken",
      orderId: "A-17",
    });
    expect(original.status).toBe("error");

    const variant = await replayWithPrompt(
      page,
      server.url,
      original.runId,
      "Apologise, offer a voucher for the broken parcel, and reply to: {{input.text}}",
    );
    // The run's outcome is that of the steps that ran; the held notification is not a failure.
    expect(await variant.getAttribute("data-status")).toBe("success");
    expect(await variant.getByTestId("verdict-badge").getAttribute("data-verdict")).toBe("fixed");
    expect(await variant.getByTestId("variant-title").textContent()).toBe("Variant 1");
    expect(await variant.getByTestId("variant-label-text").textContent()).toBe("answer: prompt edited");
    const notify = stepCard(page, "notify");
    expect(await notify.getAttribute("data-policy")).toBe("held");
    expect(await notify.getByTestId("step-policy-badge").textContent()).toContain("held");
    expect(await notify.getByTestId("replay-step-held").textContent()).toContain(
      "would call POST https://hooks.example.com/tickets/A-17; switch it live to run it",
    );
    expect(await notify.getByTestId("replay-step-error").count()).toBe(0);

    // The fork tree sits above the variant and says the same.
    const replayId = (await variant.getAttribute("data-replay-id"))!;
    const node = page.locator(`[data-testid="fork-node"][data-run-id="${replayId}"]`);
    await expect.poll(() => node.getAttribute("data-verdict")).toBe("fixed");
    const [tree, shown] = await Promise.all([page.getByTestId("fork-tree").boundingBox(), variant.boundingBox()]);
    expect(tree!.y).toBeLessThan(shown!.y);

    // So does the Runs list, on the replay's row.
    await page.goto(`${server.url}/runs?tag=replay&origin=replays`);
    const row = page.locator("tr", { has: page.locator(`a[href="/runs/${replayId}"]`) });
    await row.getByTestId("verdict-badge").waitFor();
    expect(await row.getByTestId("verdict-badge").getAttribute("data-verdict")).toBe("fixed");

    expect(problems).toEqual([]);
  }, 120_000);

  it("calls a changed replay of a successful run changed, and keeps the name a member gives it", async () => {
    const { context, page } = await server.openPage({ timeoutMs: 15_000 });
    const problems = watchProblems(page);
    const original = await record(context, server.url, "verdict-changed", {
      text: "Offer a voucher please",
      orderId: "B-2",
    });
    expect(original.status).toBe("success");

    const variant = await replayWithPrompt(
      page,
      server.url,
      original.runId,
      "Reply warmly and offer a voucher to: {{input.text}}",
    );
    expect(await variant.getByTestId("verdict-badge").getAttribute("data-verdict")).toBe("changed");
    // The original notified the ticket system: the replay takes that from the recording, it holds nothing.
    expect(await stepCard(page, "notify").getAttribute("data-policy")).toBe("recorded");

    await variant.getByTestId("rename-variant").click();
    await variant.getByTestId("variant-name-input").fill("Warmer voucher reply");
    await variant.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => variant.getByTestId("variant-label-text").textContent()).toBe("Warmer voucher reply");
    await page.reload();
    await page.getByTestId("replay-variant").getByTestId("variant-title").waitFor();
    expect(await page.getByTestId("variant-title").textContent()).toBe("Variant 1");
    await expect.poll(() => page.getByTestId("variant-label-text").textContent()).toBe("Warmer voucher reply");

    expect(problems).toEqual([]);
  }, 120_000);
});
