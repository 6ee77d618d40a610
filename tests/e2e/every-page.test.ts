import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Result } from "axe-core";
import type { Page } from "playwright-core";
import { beforeAll, expect, it } from "vitest";
import { EchosClient } from "../../sdk/client.ts";
import { defineWorkflow, EchosRuntime } from "../../sdk/workflow.ts";
import { SIM_MODEL } from "@shared/workflow/sim-model.ts";
import { ZIngestResponse } from "@shared/schemas/ingest.ts";
import { describeInBrowser, watchProblems } from "../helpers/browser-suite.ts";
import { signUpOverHttp } from "../helpers/http-user.ts";

/** axe-core's source, evaluated in each page (an injected script tag would meet the production CSP). */
const AXE_SOURCE = readFileSync(resolve("node_modules/axe-core/axe.min.js"), "utf8");

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };

/** A workflow whose last step rejects what the LLM drafted: a failed run with a Test fix page. */
const triage = defineWorkflow({
  name: `sweep-triage-${Date.now()}`,
  steps: [
    { id: "classify", type: "llm", model: SIM_MODEL, system: "Answer with one word.", prompt: "{{input.text}}" },
    { id: "lookup", type: "tool", tool: "lookupOrder", args: { orderId: "{{input.orderId}}" } },
    {
      id: "check",
      type: "code",
      code: 'if (!/voucher/.test(input.classify)) throw new Error("no voucher offered"); return true;',
    },
  ],
});

/** A traced run of two turns in one conversation, with an LLM span: run detail, playground and a conversation. */
function tracedRun(conversationId: string) {
  const at = (ms: number) => new Date(Date.now() - 60_000 + ms).toISOString();
  const runId = `${conversationId}-run`;
  const messages = [
    { role: "system", content: "You are the support assistant of Acme. Be brief." },
    { role: "user", content: "My parcel A-77 has not arrived after ten days." },
  ];
  return {
    runId,
    items: [
      {
        type: "run",
        id: runId,
        name: "support-chat",
        status: "success",
        startedAt: at(0),
        endedAt: at(1_500),
        conversationId,
        input: { message: messages[1]!.content },
        output: { reply: "Sorry about that! Parcel A-77 is held at the Lyon depot." },
      },
      {
        type: "span",
        id: `${runId}-llm`,
        runId,
        name: "chat.completions",
        kind: "llm",
        status: "success",
        startedAt: at(100),
        endedAt: at(1_400),
        model: "gpt-4o-mini",
        inputTokens: 120,
        outputTokens: 30,
        costUsd: 0.0002,
        input: { messages },
        output: "Sorry about that! Parcel A-77 is held at the Lyon depot.",
      },
    ],
  };
}

/** Serious and critical axe-core violations on the page as it is, one readable line per element. */
async function axeFindings(page: Page): Promise<string[]> {
  const hasAxe = await page.evaluate("typeof window.axe === 'object'");
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate<Result[]>(
    "window.axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)",
  );
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) =>
      v.nodes.map(
        (n) =>
          `${v.id} (${v.impact}) at ${n.target.map(String).join(" > ")}: ${v.help}; ${(n.failureSummary ?? "").replace(/\s+/g, " ")}`,
      ),
    );
}

/** Whether the page scrolls sideways, and by how much. */
async function sidewaysScroll(page: Page): Promise<number> {
  return page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
}

/** Skeletons and placeholders: a page showing one has not finished loading. */
const LOADING = ".animate-pulse, [role=status][aria-label^=Loading], [aria-busy=true]";

/** Waits until the page's own content has arrived: its marker, and no skeleton or loading status left. */
async function settle(page: Page, ready: string): Promise<void> {
  await page.locator(ready).first().waitFor();
  await page.locator(LOADING).first().waitFor({ state: "detached", timeout: 30_000 });
}

describeInBrowser("Every page on a phone and a desktop, light and dark", (server) => {
  let session = "";
  let pages: { name: string; path: string; ready: string; signedOut?: boolean }[] = [];

  beforeAll(async () => {
    const { token, key } = await signUpOverHttp(server.url, "sweep");
    session = token;
    const client = new EchosClient({ apiKey: key, apiUrl: server.url, flushIntervalMs: 60_000 });
    const runtime = new EchosRuntime({
      client,
      apiKey: key,
      tools: { lookupOrder: (args) => ({ ...(args as object), status: "delivered" }) },
    });
    expect(await runtime.registerWorkflow(triage)).toBe(true);
    const failed = await runtime.run(triage, { text: "My parcel arrived broken", orderId: "A-17" });
    expect(failed.status).toBe("error");
    await client.flush();

    const conversationId = `sweep-${Date.now()}`;
    const traced = tracedRun(conversationId);
    const res = await fetch(`${server.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify({ items: traced.items }),
    });
    expect(res.status).toBe(207);
    expect(ZIngestResponse.parse(await res.json()).results.filter((r) => r.status === "error")).toEqual([]);

    const span = '[data-testid="span-row"]';
    pages = [
      { name: "overview", path: "/", ready: '[data-testid="overview"]' },
      { name: "runs", path: "/runs", ready: '[data-testid="runs-count"]' },
      { name: "failed workflow run", path: `/runs/${failed.runId}`, ready: span },
      { name: "traced run", path: `/runs/${traced.runId}`, ready: span },
      { name: "Test fix", path: `/runs/${failed.runId}/replay`, ready: '[data-testid="fork-step-form"]' },
      { name: "playground", path: `/runs/${traced.runId}/playground`, ready: '[data-testid="playground-content"]' },
      { name: "conversations", path: "/conversations", ready: '[data-testid="conversation-row"]' },
      {
        name: "a conversation",
        path: `/conversations/${encodeURIComponent(conversationId)}`,
        ready: '[data-testid="transcript-message"]',
      },
      { name: "workflows", path: "/workflows", ready: "main h1" },
      { name: "usage", path: "/usage", ready: "main h1" },
      ...["api-keys", "members", "credentials", "models", "audit", "runtimes"].map((section) => ({
        name: `settings: ${section}`,
        path: `/settings/${section}`,
        ready: "main h1",
      })),
      { name: "account", path: "/account", ready: "main h1" },
      { name: "system", path: "/system", ready: "main h1" },
      { name: "not found", path: "/no-such-page", ready: "main h1" },
      { name: "sign in", path: "/login", ready: "h1", signedOut: true },
      { name: "sign up", path: "/signup", ready: "h1", signedOut: true },
    ];
  }, 60_000);

  /** Every page is loaded once per scheme, then checked at each size: resizing needs no reload. */
  const VIEWS = [
    { size: PHONE, colorScheme: "light" },
    { size: DESKTOP, colorScheme: "light" },
    { size: PHONE, colorScheme: "dark" },
    { size: DESKTOP, colorScheme: "dark" },
  ] as const;

  it("every page has no serious accessibility violation at 390×844 and 1440×900, light and dark, and fits a phone's width", async () => {
    const signedIn = await server.openPage({ session, timeoutMs: 30_000 });
    const signedOut = await server.openPage({ timeoutMs: 30_000 });
    const problems = [...watchProblems(signedIn.page), ...watchProblems(signedOut.page)];
    const findings: string[] = [];
    for (const { name, path, ready, signedOut: out } of pages) {
      const { page } = out ? signedOut : signedIn;
      for (const { size, colorScheme } of VIEWS) {
        // Each scheme on a fresh load: a scheme switched under a loaded page is caught half-way by axe.
        await page.setViewportSize(size);
        if (size === PHONE) {
          await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
          await page.goto(`${server.url}${path}`);
          await settle(page, ready).catch((error: Error) => {
            throw new Error(`${name} (${path}) did not finish loading: ${error.message}`);
          });
        }
        const view = `${name} (${path}) at ${size.width} px, ${colorScheme}`;
        for (const finding of await axeFindings(page)) findings.push(`${view}: ${finding}`);
        if (size === PHONE) {
          const overflow = await sidewaysScroll(page);
          if (overflow > 0) findings.push(`${view}: the page scrolls sideways by ${overflow} px`);
        }
      }
    }
    expect(findings.join("\n")).toBe("");
    expect(problems).toEqual([]);
  }, 900_000);

  it("opens the create-organisation dialog on its name field, so a name with spaces can be typed", async () => {
    const { page } = await server.openPage({ session });
    await page.goto(`${server.url}/settings/members`);
    await page.getByTestId("org-switcher").click();
    await page.getByTestId("create-org-item").click();
    const name = page.getByTestId("org-name-input");
    await name.waitFor();
    expect(await page.evaluate("document.activeElement?.getAttribute('data-testid')")).toBe("org-name-input");
    await page.keyboard.type("Acme Support Team");
    expect(await name.inputValue()).toBe("Acme Support Team");
    expect(await page.getByRole("dialog", { name: "Create organisation" }).isVisible()).toBe(true);
    expect(await axeFindings(page)).toEqual([]);
  }, 120_000);

  it("asks before a role changes, naming the person and the role, and shows why a change was refused", async () => {
    const { page } = await server.openPage({ session });
    await page.goto(`${server.url}/settings/members`);
    const select = page.getByTestId("member-role-select");
    await select.selectOption("admin");
    const dialog = page.getByRole("dialog", { name: "Make yourself an admin?" });
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/goes from owner to admin/);
    expect(await dialog.textContent()).toMatch(/This is your own role/);
    expect(await axeFindings(page)).toEqual([]);

    // Confirmed: the last owner cannot step down, and the dialog says why; cancelled, nothing has changed.
    await dialog.getByTestId("confirm-role-change").click();
    await expect.poll(() => dialog.getByRole("alert").textContent()).toMatch(/at least one owner/);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(await select.inputValue()).toBe("owner");
  }, 120_000);
});
