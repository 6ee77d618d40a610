import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { describeInBrowser } from "../helpers/browser-suite.ts";
import type { PageElement } from "../helpers/browser.ts";
import { signUpOverHttp } from "../helpers/http-user.ts";
import { ZIngestResponse } from "@shared/schemas/ingest.ts";

type Message = { role: "system" | "user" | "assistant"; content: string };

const SYSTEM = "You are Echo, the support assistant of Acme. Be brief.";
const TURNS: [user: string, assistant: string][] = [
  ["My parcel A-77 has not arrived after ten days.", "Sorry about that! Parcel A-77 is held at the Lyon depot."],
  ["Can you have it delivered on Friday instead?", "Done: parcel A-77 is rescheduled for delivery on Friday."],
  ["Great, and will I get a tracking email?", "Yes, a tracking email goes out on Friday morning."],
];

/**
 * One run per turn, as a chat agent records them: each LLM call re-sends the whole history (system prompt
 * included) and answers with plain text.
 */
function turnItems(conversationId: string, turn: number, startMs: number) {
  const history: Message[] = [{ role: "system", content: SYSTEM }];
  for (const [user, assistant] of TURNS.slice(0, turn)) {
    history.push({ role: "user", content: user }, { role: "assistant", content: assistant });
  }
  const [user, reply] = TURNS[turn]!;
  history.push({ role: "user", content: user });
  const runId = `${conversationId}-run-${turn}`;
  const at = (ms: number) => new Date(startMs + ms).toISOString();
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
        input: { message: user },
        output: { reply },
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
        inputTokens: 120 + turn * 40,
        outputTokens: 30,
        costUsd: 0.0002,
        input: { messages: history },
        output: reply,
      },
    ],
  };
}

async function ingest(url: string, key: string, items: unknown[]) {
  const res = await fetch(`${url}/api/v1/ingest`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key },
    body: JSON.stringify({ items }),
  });
  expect(res.status).toBe(207);
  const body = ZIngestResponse.parse(await res.json());
  expect(body.results.filter((r) => r.status === "error")).toEqual([]);
}

async function transcript(page: Page): Promise<{ role: string; text: string }[]> {
  return page.getByTestId("transcript-message").evaluateAll((nodes: PageElement[]) =>
    nodes.map((n) => ({
      role: n.getAttribute("data-role") ?? "",
      text: n.querySelector('[data-testid="message-content"]')?.textContent?.trim() ?? "",
    })),
  );
}

describeInBrowser("a conversation read as a transcript", (server) => {
  it("lists the conversation, shows its turns in order without repeated history, writes its summary, and follows new turns live", async () => {
    const { token, key } = await signUpOverHttp(server.url, "conversation");
    const conversationId = `chat-${randomBytes(4).toString("hex")}`;
    const start = Date.now() - 10 * 60_000;
    const turns = [0, 1].map((turn) => turnItems(conversationId, turn, start + turn * 2 * 60_000));
    await ingest(
      server.url,
      key,
      turns.flatMap((t) => t.items),
    );

    const { page } = await server.openPage({ session: token, timeoutMs: 10_000 });
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`page: ${error.message}`));
    page.on("console", (msg) => {
      if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
    });

    // The list: the conversation with its run count, its summary not written yet.
    await page.goto(`${server.url}/conversations`);
    const row = page.locator(`[data-testid="conversation-row"][data-conversation-id="${conversationId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Summary pending/);
    await row.getByRole("link").click();
    await page.waitForURL(new RegExp(`/conversations/${conversationId}$`));

    // The transcript: the system prompt once (folded), then user and assistant turns in order, each said once
    // although every call re-sent the history.
    await page.getByTestId("transcript").waitFor();
    expect(await transcript(page)).toEqual([
      { role: "system", text: SYSTEM },
      { role: "user", text: TURNS[0]![0] },
      { role: "assistant", text: TURNS[0]![1] },
      { role: "user", text: TURNS[1]![0] },
      { role: "assistant", text: TURNS[1]![1] },
    ]);
    const speakers = await page.getByTestId("speaker").allTextContents();
    expect(speakers.map((s) => s.trim())).toEqual([
      "System prompt",
      "User",
      "Assistant (gpt-4o-mini)",
      "User",
      "Assistant (gpt-4o-mini)",
    ]);
    // The system prompt is folded away until asked for.
    expect(await page.locator('[data-role="system"] details').getAttribute("open")).toBeNull();
    // Each message links to the run that recorded it, and the runs are listed with their status.
    const links = await page
      .getByTestId("message-run-link")
      .evaluateAll((nodes: PageElement[]) => nodes.map((n) => n.getAttribute("href")));
    expect(links).toEqual([
      `/runs/${turns[0]!.runId}`,
      `/runs/${turns[0]!.runId}`,
      `/runs/${turns[0]!.runId}`,
      `/runs/${turns[1]!.runId}`,
      `/runs/${turns[1]!.runId}`,
    ]);
    expect(await page.getByTestId("conversation-run").count()).toBe(2);
    expect(await page.getByTestId("conversation-run-count").textContent()).toBe("2");

    // The summary, written on demand: an owner may regenerate it.
    await page.getByTestId("summary-pending").waitFor();
    await page.getByTestId("regenerate-summary").click();
    const summary = page.getByTestId("summary-text");
    await summary.waitFor();
    // Without an LLM credential the summary is extracted from the transcript: it quotes the first question.
    expect(await summary.textContent()).toContain(TURNS[0]![0]);
    expect(await page.getByTestId("summary-source").textContent()).toMatch(/Extracted/);
    expect(await page.getByTestId("regenerate-summary").textContent()).toMatch(/Regenerate/);

    // A new turn arrives while the page is open: the live stream brings it in.
    await page.getByTestId("conversation-live").and(page.locator('[data-state="live"]')).waitFor();
    const third = turnItems(conversationId, 2, start + 4 * 60_000);
    await ingest(server.url, key, third.items);
    await expect
      .poll(async () => (await transcript(page)).filter((m) => m.role === "user").length, { timeout: 15_000 })
      .toBe(3);
    const after = await transcript(page);
    expect(after.slice(-2)).toEqual([
      { role: "user", text: TURNS[2]![0] },
      { role: "assistant", text: TURNS[2]![1] },
    ]);
    expect(after.filter((m) => m.role === "system")).toHaveLength(1);
    expect(await page.getByTestId("conversation-run").count()).toBe(3);

    // Back on the list, the summary's first words stand in for "pending", and search finds the conversation.
    await page.goto(`${server.url}/conversations?q=${conversationId}`);
    await row.waitFor();
    expect(await row.textContent()).not.toMatch(/Summary pending/);
    await page.goto(`${server.url}/conversations?q=no-such-conversation-anywhere`);
    await page.getByText(/No conversation matches/).waitFor();

    expect(problems).toEqual([]);
  });

  it("explains how to start a conversation when there is none", async () => {
    const { token } = await signUpOverHttp(server.url, "no-conversations");
    const { page } = await server.openPage({ session: token });
    await page.goto(`${server.url}/conversations`);
    await page.getByRole("heading", { name: "No conversations yet" }).waitFor({ timeout: 10_000 });
    expect(await page.locator("main").textContent()).toContain("conversationId");
  });
});
