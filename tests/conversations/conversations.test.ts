import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationSummary } from "@shared/schemas/runs.ts";
import type { AppDeps } from "../../server/deps.ts";
import { loadConfig } from "../../server/config.ts";
import { createDatabase, rowsOf } from "../../server/infra/db.ts";
import { claimDueConversations, summarizeDueConversations } from "../../server/modules/conversations/service.ts";
import { SUMMARY_SYSTEM } from "../../server/modules/conversations/summarize.ts";
import type { RunningServer } from "../../server/server.ts";
import { TEST_DATABASE_URL, testEnv } from "../helpers/env.ts";
import { callerFor, codeOf, createOrgWithRoles, createUser, type TestUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { ZIngestResponse } from "@shared/schemas/ingest.ts";

// Ids are unique per test run: with TEST_DATABASE_URL the database is shared with earlier runs and other files.
const tag = `cv${Math.random().toString(36).slice(2, 8)}`;
const id = (name: string) => `${tag}-${name}`;
/** Whole seconds, a few hours ago: the runs' times are known to the millisecond. */
const BASE = Math.floor(Date.now() / 1000) * 1000 - 6 * 3600_000;
const at = (seconds: number) => new Date(BASE + seconds * 1000).toISOString();

type Msg = { role: string; content: string };
const SYSTEM: Msg = { role: "system", content: "You are Echo, Acme's support assistant." };
const user = (content: string): Msg => ({ role: "user", content });
const assistant = (content: string): Msg => ({ role: "assistant", content });

async function ingest(url: string, apiKey: string, items: unknown[]) {
  const res = await fetch(`${url}/api/v1/ingest`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": apiKey },
    body: JSON.stringify({ items }),
  });
  const json: unknown = await res.json();
  expect(res.status, JSON.stringify(json)).toBe(207);
  const body = ZIngestResponse.parse(json);
  expect(body.rejected, JSON.stringify(body.results)).toBe(0);
}

/**
 * One turn of a chat as the workflow engine records it: a run in the conversation, and its LLM span given the
 * system prompt and the chat so far, answering with text (no answer when the call failed).
 */
function turn(o: {
  conversationId: string;
  runId: string;
  from: number;
  to: number;
  messages: Msg[];
  reply?: string;
  error?: string;
  model?: string;
}) {
  const status = o.error ? "error" : "success";
  return [
    {
      type: "run",
      id: o.runId,
      name: "support-chat",
      status,
      startedAt: at(o.from),
      endedAt: at(o.to),
      conversationId: o.conversationId,
      error: o.error,
    },
    {
      type: "span",
      id: `${o.runId}-llm`,
      runId: o.runId,
      name: "reply",
      kind: "llm",
      status,
      startedAt: at(o.from),
      endedAt: at(o.to),
      model: o.model ?? "gpt-4o-mini",
      input: { messages: o.messages },
      output: o.reply,
      error: o.error,
    },
  ];
}

/** A run without spans in a conversation. */
const bareRun = (conversationId: string, runId: string, from: number, to: number) => ({
  type: "run",
  id: runId,
  name: "triage",
  status: "success",
  startedAt: at(from),
  endedAt: at(to),
  conversationId,
});

async function keyFor(deps: AppDeps, owner: TestUser) {
  return (await callerFor(deps, owner).apiKeys.create({ orgId: owner.orgId, name: "sdk" })).key;
}

type Row = {
  summary: string | null;
  summary_source: string | null;
  summary_error: string | null;
  summary_due: boolean;
  summary_attempts: number;
  leased: boolean;
  summarized_ms: number | null;
};

/** The stored row, with what the API does not show (due flag, lease, error). */
async function stored(deps: Pick<AppDeps, "database">, orgId: string, conversationId: string): Promise<Row> {
  const [row] = rowsOf<Row>(
    await deps.database.db.execute(sql`
      select summary, summary_source, summary_error, summary_due, summary_attempts,
        summary_lease_until is not null as leased,
        (extract(epoch from summarized_at) * 1000)::float8 as summarized_ms
      from conversations where org_id = ${orgId}::uuid and id = ${conversationId}`),
  );
  if (!row) throw new Error(`no conversation ${conversationId}`);
  return {
    ...row,
    summary_attempts: Number(row.summary_attempts),
    summarized_ms: row.summarized_ms === null ? null : Number(row.summarized_ms),
  };
}

/** Polls `read` until `done` accepts its value; fails with the last value seen after `timeoutMs`. */
async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let main: RunningServer;
beforeAll(async () => {
  main = await startTestServer({ env: { RATE_LIMIT_MAX: "100000" } });
});
afterAll(() => main.shutdown());

describe("conversations: runs that share a conversation id", () => {
  let team: Awaited<ReturnType<typeof createOrgWithRoles>>;
  let outsider: TestUser;
  let caller: ReturnType<typeof callerFor>;
  const support = id("support");
  const promo = id("promo");
  const pages = [1, 2, 3, 4, 5].map((n) => id(`page-${n}`));
  const U1 = "Where is my order 1234? It was due on Monday.";
  const A1 = "Order 1234 left our warehouse on Friday; let me check with the carrier.";
  const U2 = "Any news from the carrier?";
  const U3 = "Hello? Can you check order 1234 again please?";
  const A3 = "The carrier confirms order 1234 arrives tomorrow before noon.";

  beforeAll(async () => {
    team = await createOrgWithRoles(main.deps);
    outsider = await createUser(main.deps, "outsider");
    caller = callerFor(main.deps, team.owner);
    const key = await keyFor(main.deps, team.owner);
    await ingest(main.url, key, [
      ...turn({ conversationId: support, runId: id("r1"), from: 0, to: 2, messages: [SYSTEM, user(U1)], reply: A1 }),
      ...turn({
        conversationId: support,
        runId: id("r2"),
        from: 60,
        to: 61,
        messages: [SYSTEM, user(U1), assistant(A1), user(U2)],
        error: "Tool getOrder timed out after 10 s",
      }),
      ...turn({
        conversationId: support,
        runId: id("r3"),
        from: 120,
        to: 123,
        messages: [SYSTEM, user(U1), assistant(A1), user(U2), user(U3)],
        reply: A3,
        model: "gpt-4o",
      }),
      ...turn({
        conversationId: promo,
        runId: id("promo-1"),
        from: 50,
        to: 51,
        messages: [SYSTEM, user("Is the 50% discount still valid this week?")],
        reply: "Yes, until Sunday midnight.",
      }),
      // Last activity at 200, 300, 300 (a tie, ordered by id), 400 and 500 seconds.
      ...pages.map((conversationId, i) =>
        bareRun(conversationId, id(`page-run-${i + 1}`), 100 * (i + 1), [200, 300, 300, 400, 500][i]!),
      ),
    ]);
    // The outsider's organisation uses the same conversation id for its own chat.
    await ingest(main.url, await keyFor(main.deps, outsider), [
      ...turn({
        conversationId: support,
        runId: id("x1"),
        from: 5,
        to: 6,
        messages: [user("Their question")],
        reply: "Their answer",
      }),
      bareRun(id("theirs"), id("x2"), 7, 8),
    ]);
  });

  it("groups the runs with their count, error count, first and last times, in order, with the transcript", async () => {
    const { conversation, runs, transcript } = await caller.conversations.get({
      orgId: team.orgId,
      conversationId: support,
    });
    expect(conversation).toEqual({
      id: support,
      runCount: 3,
      errorCount: 1,
      firstAt: at(0),
      lastAt: at(123),
      summary: null,
      summarySource: null,
      summarizedAt: null,
    });
    expect(runs.map((r) => [r.id, r.status])).toEqual([
      [id("r1"), "success"],
      [id("r2"), "error"],
      [id("r3"), "success"],
    ]);
    expect(transcript.map((m) => [m.role, m.content, m.runId, m.model])).toEqual([
      ["system", SYSTEM.content, id("r1"), undefined],
      ["user", U1, id("r1"), undefined],
      ["assistant", A1, id("r1"), "gpt-4o-mini"],
      ["user", U2, id("r2"), undefined],
      ["user", U3, id("r3"), undefined],
      ["assistant", A3, id("r3"), "gpt-4o"],
    ]);
    expect(transcript[5]).toMatchObject({ spanId: `${id("r3")}-llm`, at: at(120) });
  });

  it("lists conversations by last activity, page by page, without overlap", async () => {
    const seen: ConversationSummary[] = [];
    let cursor: string | null = null;
    let count = 0;
    do {
      const page: { items: ConversationSummary[]; nextCursor: string | null } = await caller.conversations.list({
        orgId: team.orgId,
        limit: 2,
        cursor,
      });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
      count++;
    } while (cursor && count < 20);
    expect(seen.map((c) => c.id)).toEqual([pages[4], pages[3], pages[2], pages[1], pages[0], support, promo]);
    expect(count).toBe(4);
    expect(seen.map((c) => c.lastAt)).toEqual([at(500), at(400), at(300), at(300), at(200), at(123), at(51)]);
    expect(seen.find((c) => c.id === support)).toMatchObject({ runCount: 3, errorCount: 1 });
    const all = await caller.conversations.list({ orgId: team.orgId, limit: 200 });
    expect(all.items.map((c) => c.id)).toEqual(seen.map((c) => c.id));
    expect(all.nextCursor).toBeNull();
    expect(await codeOf(caller.conversations.list({ orgId: team.orgId, cursor: "not-a-cursor" }))).toMatch(
      /^BAD_REQUEST: The page cursor is not valid/,
    );
  });

  it("filters by words of the id or of the summary, taking % and _ literally", async () => {
    const q = async (text: string) =>
      (await caller.conversations.list({ orgId: team.orgId, q: text })).items.map((c) => c.id);
    expect(await q("page-3")).toEqual([pages[2]]);
    expect(await q("PROMO")).toEqual([promo]);
    expect(await q("getOrder")).toEqual([]);
    expect(await caller.conversations.summarize({ orgId: team.orgId, conversationId: support })).toEqual({
      source: "extractive",
      error: null,
    });
    await caller.conversations.summarize({ orgId: team.orgId, conversationId: promo });
    // Found by the summary's last error and first question.
    expect(await q("getOrder timed out")).toEqual([support]);
    expect(await q("50% discount")).toEqual([promo]);
    expect(await q("%")).toEqual([promo]);
    expect(await q("_")).toEqual([]);
    expect(await q("nothing like this")).toEqual([]);
  });

  it("returns the summary it wrote with the conversation", async () => {
    const { conversation } = await caller.conversations.get({ orgId: team.orgId, conversationId: support });
    expect(conversation.summarySource).toBe("extractive");
    expect(conversation.summary).toBe(
      [
        "3 runs over 2 min: 3 user messages and 2 assistant replies, 1 failed.",
        `The user asked: "${U1}"`,
        `Along the way: "${A1}" "Can you check order 1234 again please?"`,
        `Last reply: "${A3}"`,
        "Last error: Tool getOrder timed out after 10 s",
      ].join("\n"),
    );
    expect(Date.parse(conversation.summarizedAt!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("keeps each organisation to its own conversations", async () => {
    const theirs = callerFor(main.deps, outsider);
    const their = await theirs.conversations.get({ orgId: outsider.orgId, conversationId: support });
    expect(their.conversation).toMatchObject({ runCount: 1, errorCount: 0, firstAt: at(5), lastAt: at(6) });
    expect(their.runs.map((r) => r.id)).toEqual([id("x1")]);
    expect(their.transcript.map((m) => m.content)).toEqual(["Their question", "Their answer"]);
    expect((await theirs.conversations.list({ orgId: outsider.orgId })).items.map((c) => c.id)).toEqual([
      id("theirs"),
      support,
    ]);
    expect(await codeOf(theirs.conversations.get({ orgId: outsider.orgId, conversationId: promo }))).toBe(
      "NOT_FOUND: Conversation not found",
    );
    expect(await codeOf(theirs.conversations.summarize({ orgId: outsider.orgId, conversationId: promo }))).toBe(
      "NOT_FOUND: Conversation not found",
    );
    expect(await codeOf(caller.conversations.get({ orgId: team.orgId, conversationId: id("theirs") }))).toBe(
      "NOT_FOUND: Conversation not found",
    );
    expect(await codeOf(theirs.conversations.list({ orgId: team.orgId }))).toMatch(/^FORBIDDEN/);
    const ours = (await caller.conversations.list({ orgId: team.orgId, limit: 200 })).items.map((c) => c.id);
    expect(ours).not.toContain(id("theirs"));
    expect((await caller.conversations.get({ orgId: team.orgId, conversationId: support })).runs).toHaveLength(3);
  });

  it("lets a viewer read conversations but not have them summarised", async () => {
    const viewer = callerFor(main.deps, team.viewer);
    expect((await viewer.conversations.list({ orgId: team.orgId })).items).toHaveLength(7);
    expect(await codeOf(viewer.conversations.summarize({ orgId: team.orgId, conversationId: promo }))).toMatch(
      /^FORBIDDEN: /,
    );
    expect(
      await callerFor(main.deps, team.member).conversations.summarize({ orgId: team.orgId, conversationId: promo }),
    ).toEqual({ source: "extractive", error: null });
  });
});

/** An OpenAI-compatible provider on loopback that records what it was sent. */
async function startFakeProvider() {
  const requests: { path: string; authorization: string | undefined; body: Record<string, unknown> }[] = [];
  const state = {
    status: 200,
    answer: "  The customer asked about order 77; the agent promised a refund.  \n",
    /** Runs before the answer is sent, as if the model took its time. */
    beforeAnswer: null as null | (() => Promise<void>),
  };
  const readBody = async (req: IncomingMessage) => {
    let text = "";
    for await (const chunk of req) text += String(chunk);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      requests.push({ path: req.url ?? "", authorization: req.headers.authorization, body });
      if (state.beforeAnswer) await state.beforeAnswer();
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
      if (req.method !== "POST" || req.url !== "/v1/chat/completions") return json(404, { error: "no such route" });
      if (state.status !== 200) return json(state.status, { error: { message: "model overloaded" } });
      json(200, {
        id: "chatcmpl-test",
        model: String(body.model),
        choices: [{ index: 0, message: { role: "assistant", content: state.answer }, finish_reason: "stop" }],
        usage: { prompt_tokens: 100, completion_tokens: 20 },
      });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("conversations: summaries written by the organisation's LLM provider", () => {
  let provider: Awaited<ReturnType<typeof startFakeProvider>>;
  let team: Awaited<ReturnType<typeof createOrgWithRoles>>;
  let key: string;
  const chat = id("llm-chat");
  const API_KEY = "sk-echos-test-0123456789";
  const U1 = "I was charged twice for order 77.";
  const A1 = "Sorry about that! I refunded the second charge for order 77.";
  const U2 = "Thanks, when will I see the money?";

  beforeAll(async () => {
    provider = await startFakeProvider();
    team = await createOrgWithRoles(main.deps);
    key = await keyFor(main.deps, team.owner);
    await ingest(main.url, key, [
      ...turn({ conversationId: chat, runId: id("llm-1"), from: 0, to: 3, messages: [SYSTEM, user(U1)], reply: A1 }),
      ...turn({
        conversationId: chat,
        runId: id("llm-2"),
        from: 30,
        to: 32,
        messages: [SYSTEM, user(U1), assistant(A1), user(U2)],
        error: "Refund service answered 502",
      }),
    ]);
    await callerFor(main.deps, team.admin).credentials.save({
      orgId: team.orgId,
      name: "OPENAI_API_KEY",
      provider: "openai-compatible",
      baseUrl: `${provider.url}/v1`,
      apiKey: API_KEY,
    });
  });
  afterAll(() => provider.close());

  const summarize = (who: TestUser = team.member) =>
    callerFor(main.deps, who).conversations.summarize({ orgId: team.orgId, conversationId: chat });

  it("sends the transcript with the credential's key and keeps the provider's answer", async () => {
    provider.requests.length = 0;
    expect(await summarize()).toEqual({ source: "llm", error: null });
    expect(provider.requests).toHaveLength(1);
    const [request] = provider.requests;
    expect(request!.path).toBe("/v1/chat/completions");
    expect(request!.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request!.body).toMatchObject({ model: "gpt-4o-mini", temperature: 0.2, max_tokens: 300 });
    const messages = request!.body.messages as Msg[];
    expect(messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(messages[0]!.content).toBe(SUMMARY_SYSTEM);
    expect(messages[1]!.content).toContain(
      `Conversation of 2 agent runs (1 failed):\n\nSYSTEM: ${SYSTEM.content}\nUSER: ${U1}\nASSISTANT: ${A1}\nUSER: ${U2}\n\n`,
    );
    const { conversation } = await callerFor(main.deps, team.viewer).conversations.get({
      orgId: team.orgId,
      conversationId: chat,
    });
    expect(conversation.summary).toBe("The customer asked about order 77; the agent promised a refund.");
    expect(conversation.summarySource).toBe("llm");
    expect(await stored(main.deps, team.orgId, chat)).toMatchObject({
      summary_error: null,
      summary_due: false,
      summary_attempts: 0,
      leased: false,
    });
  });

  it("falls back to the extractive summary, with the provider's error recorded, when the provider fails", async () => {
    provider.requests.length = 0;
    provider.state.status = 500;
    try {
      const expectedError = "The LLM provider failed (Provider answered HTTP 500: model overloaded); extracted instead";
      expect(await summarize()).toEqual({ source: "extractive", error: expectedError });
      expect(provider.requests).toHaveLength(1);
      const row = await stored(main.deps, team.orgId, chat);
      expect(row).toMatchObject({ summary_source: "extractive", summary_error: expectedError, summary_due: false });
      expect(row.summary).toBe(
        [
          "2 runs over 1 min: 2 user messages and 1 assistant reply, 1 failed.",
          `The user asked: "${U1}"`,
          `Last reply: "${A1}"`,
          "Last error: Refund service answered 502",
        ].join("\n"),
      );
      // Nothing crashed: the server still answers, and the next success clears the error.
      expect((await fetch(`${main.url}/api/health/ready`)).status).toBe(200);
    } finally {
      provider.state.status = 200;
    }
    expect(await summarize()).toEqual({ source: "llm", error: null });
    expect(await stored(main.deps, team.orgId, chat)).toMatchObject({ summary_source: "llm", summary_error: null });
  });

  it("forbids a viewer to have a conversation summarised", async () => {
    provider.requests.length = 0;
    expect(await codeOf(summarize(team.viewer))).toMatch(/^FORBIDDEN: /);
    expect(provider.requests).toHaveLength(0);
  });

  it("stores a provider's answer holding NUL characters without them", async () => {
    provider.state.answer = "Double charge\u0000 refunded.";
    try {
      expect(await summarize()).toEqual({ source: "llm", error: null });
    } finally {
      provider.state.answer = "The customer asked about order 77; the agent promised a refund.";
    }
    expect((await stored(main.deps, team.orgId, chat)).summary).toBe("Double charge refunded.");
  });

  it("keeps the summary due when the conversation moves on while the summary is being written", async () => {
    // The next turn arrives while the model is still writing the summary of the first two.
    provider.state.beforeAnswer = () =>
      ingest(main.url, key, [
        ...turn({
          conversationId: chat,
          runId: id("llm-3"),
          from: 90,
          to: 91,
          messages: [SYSTEM, user(U1), assistant(A1), user(U2), user("Hello?")],
          reply: "Within 5 working days.",
        }),
      ]);
    try {
      expect(await summarize()).toEqual({ source: "llm", error: null });
    } finally {
      provider.state.beforeAnswer = null;
    }
    const row = await stored(main.deps, team.orgId, chat);
    expect(row.summary_source).toBe("llm");
    expect(row.summary_due).toBe(true);
    provider.requests.length = 0;
    expect(await summarize()).toEqual({ source: "llm", error: null });
    expect(provider.requests[0]!.body.messages).toEqual([
      expect.anything(),
      expect.objectContaining({ content: expect.stringContaining("USER: Hello?\nASSISTANT: Within 5 working days.") }),
    ]);
    expect(await stored(main.deps, team.orgId, chat)).toMatchObject({ summary_due: false });
  });

  it("falls back to the extractive summary when the credential cannot be opened (sealed with a retired key)", async () => {
    provider.requests.length = 0;
    await main.deps.database.db.execute(
      sql`update provider_credentials set key_id = 'retired-key' where org_id = ${team.orgId}::uuid`,
    );
    const result = await summarize();
    expect(result.source).toBe("extractive");
    expect(result.error).toMatch(/^The LLM provider failed \(Credential OPENAI_API_KEY is sealed with an unknown key/);
    expect(provider.requests).toHaveLength(0);
    expect(await stored(main.deps, team.orgId, chat)).toMatchObject({
      summary_source: "extractive",
      summary_error: result.error,
      summary_due: false,
    });
  });
});

describe("conversations: summaries written in the background once a conversation goes quiet", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { SUMMARY_QUIET_SECONDS: "1" } });
  });
  afterAll(() => server.shutdown());

  it("writes an extractive summary without a credential, and rewrites it after new activity", async () => {
    const owner = await createUser(server.deps, "quiet");
    const key = await keyFor(server.deps, owner);
    const caller = callerFor(server.deps, owner);
    const chat = id("quiet-chat");
    const U1 = "Can I upgrade my plan mid-month?";
    const A1 = "Yes: the upgrade is prorated from today.";
    await ingest(server.url, key, [
      ...turn({ conversationId: chat, runId: id("q1"), from: 0, to: 1, messages: [SYSTEM, user(U1)], reply: A1 }),
    ]);
    expect(await stored(server.deps, owner.orgId, chat)).toMatchObject({ summary: null, summary_due: true });

    const get = () => caller.conversations.get({ orgId: owner.orgId, conversationId: chat });
    const first = (await waitFor(get, (c) => c.conversation.summary !== null)).conversation;
    expect(first.summarySource).toBe("extractive");
    expect(first.summary).toBe(
      `1 run: 1 user message and 1 assistant reply.\nThe user asked: "${U1}"\nLast reply: "${A1}"`,
    );
    expect(await stored(server.deps, owner.orgId, chat)).toMatchObject({
      summary_due: false,
      summary_attempts: 0,
      leased: false,
      summary_error: null,
    });

    const A2 = "Your card will be charged 12.40 EUR today.";
    await ingest(server.url, key, [
      ...turn({
        conversationId: chat,
        runId: id("q2"),
        from: 30,
        to: 100,
        messages: [SYSTEM, user(U1), assistant(A1), user("How much will it cost?")],
        reply: A2,
      }),
    ]);
    // Marked due at once; the summary written before stays until the new one replaces it.
    expect(await stored(server.deps, owner.orgId, chat)).toMatchObject({ summary: first.summary, summary_due: true });
    const second = (await waitFor(get, (c) => c.conversation.summarizedAt !== first.summarizedAt)).conversation;
    expect(second.summary).toBe(
      [
        "2 runs over 2 min: 2 user messages and 2 assistant replies.",
        `The user asked: "${U1}"`,
        `Last reply: "${A2}"`,
      ].join("\n"),
    );
    expect(second.runCount).toBe(2);
    expect(await stored(server.deps, owner.orgId, chat)).toMatchObject({ summary_due: false });
  });
});

describe("conversations: instances competing for the summaries that are due", () => {
  // Two instances only share state through PostgreSQL; the embedded database belongs to one process, where two
  // claims at once still go through the same statement.
  let second: RunningServer | null = null;
  let owner: TestUser;
  const ids = Array.from({ length: 12 }, (_, i) => id(`due-${String(i).padStart(2, "0")}`));
  const workers = () => [main.deps, (second ?? main).deps];

  beforeAll(async () => {
    if (TEST_DATABASE_URL) second = await startTestServer();
    owner = await createUser(main.deps, "due");
    await ingest(
      main.url,
      await keyFor(main.deps, owner),
      ids.map((conversationId, i) => bareRun(conversationId, `${conversationId}-run`, i, i + 1)),
    );
  });
  afterAll(() => second?.shutdown());

  const mine = (claimed: { orgId: string; id: string }[]) =>
    claimed.filter((c) => c.orgId === owner.orgId).map((c) => c.id);

  /** Claims a few at a time until nothing due is left. */
  async function drain(deps: AppDeps) {
    const claimed: { orgId: string; id: string }[] = [];
    for (let round = 0; round < 1000; round++) {
      const batch = await claimDueConversations(deps, { quietMs: 0, limit: 3, orgId: owner.orgId });
      if (batch.length === 0) break;
      claimed.push(...batch);
    }
    return claimed;
  }

  it("never hands the same conversation to two workers claiming at the same time", async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      // Every round starts with all twelve due and unclaimed.
      await main.deps.database.db.execute(
        sql`update conversations set summary_lease_until = null, summary_attempts = 0 where org_id = ${owner.orgId}::uuid`,
      );
      const [a, b] = await Promise.all(workers().map((deps) => drain(deps)));
      const keys = (claimed: { orgId: string; id: string }[]) => claimed.map((c) => `${c.orgId}/${c.id}`);
      expect(keys(a!).filter((k) => keys(b!).includes(k))).toEqual([]);
      expect(new Set(keys(a!)).size).toBe(a!.length);
      expect(new Set(keys(b!)).size).toBe(b!.length);
      expect([...mine(a!), ...mine(b!)].sort()).toEqual(ids);
      // Claimed means leased: nobody gets them again while the lease runs.
      expect(mine(await claimDueConversations(main.deps, { quietMs: 0, limit: 1000, orgId: owner.orgId }))).toEqual([]);
    }
  });

  it("hands a conversation whose lease ran out (its instance died mid-job) to another instance", async () => {
    const [, other] = workers();
    const lost = ids[4]!;
    await main.deps.database.db.execute(sql`
      update conversations set summary_lease_until = now() - interval '1 second'
      where org_id = ${owner.orgId}::uuid and id = ${lost}`);
    expect(mine(await claimDueConversations(other!, { quietMs: 0, limit: 1000, orgId: owner.orgId }))).toEqual([lost]);
    expect(await stored(main.deps, owner.orgId, lost)).toMatchObject({ leased: true, summary_attempts: 2 });

    // That instance dies too; the job of the next one writes the summary once the conversation is quiet.
    await main.deps.database.db.execute(sql`
      update conversations set summary_lease_until = now() - interval '1 second',
        activity_at = now() - interval '1 hour'
      where org_id = ${owner.orgId}::uuid and id = ${lost}`);
    const row = await waitFor(
      async () => {
        await summarizeDueConversations(other!, 50);
        return stored(main.deps, owner.orgId, lost);
      },
      (r) => r.summary !== null,
    );
    expect(row).toMatchObject({ summary_source: "extractive", summary_due: false, leased: false });
    expect(row.summary).toBe(
      "1 run: 0 user messages and 0 assistant replies.\nNo LLM messages were recorded in these runs.",
    );
  });
});

type ScriptResult = { code: number | null; stdout: string; stderr: string };

function runResync(env: Record<string, string>, args: string[]): Promise<ScriptResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "server/scripts/summaries-resync.ts", ...args],
      { env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", LOG_LEVEL: "error", ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe("npm run summaries:resync", () => {
  // With the embedded database the script opens the same data dir as the server, after the server has closed it
  // (an embedded database belongs to one process at a time); with TEST_DATABASE_URL it uses that database.
  let dataDir: string;
  let databaseEnv: Record<string, string>;
  let owner: TestUser;
  let other: TestUser;
  let before: Row;
  const chats = [1, 2, 3].map((n) => id(`resync-${n}`));
  const theirs = id("resync-theirs");
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "echos-resync-"));
    databaseEnv = TEST_DATABASE_URL ? { DATABASE_URL: TEST_DATABASE_URL } : { ECHOS_DATA_DIR: dataDir };
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  /** Reads the stored rows (and the other organisation's one) with a database handle of its own. */
  async function rows(orgId: string, conversationIds: string[]) {
    const database = await createDatabase(loadConfig(testEnv(databaseEnv)));
    try {
      const deps = { database };
      return {
        mine: await Promise.all(conversationIds.map((c) => stored(deps, orgId, c))),
        theirs: await stored(deps, other.orgId, theirs),
      };
    } finally {
      await database.close();
    }
  }

  /** The full progress bar, as the script prints it when it is done. */
  const fullBar = (total: number) => `[${"█".repeat(30)}] ${total}/${total} 100%`;

  it("writes the missing summaries of an organisation with a progress bar, and every one with --all", async () => {
    const server = await startTestServer({ env: databaseEnv });
    try {
      owner = await createUser(server.deps, "resync");
      other = await createUser(server.deps, "resync-other");
      await ingest(
        server.url,
        await keyFor(server.deps, owner),
        chats.flatMap((chat, i) =>
          turn({
            conversationId: chat,
            runId: `${chat}-run`,
            from: i * 10,
            to: i * 10 + 1,
            messages: [SYSTEM, user(`Question number ${i + 1} about invoices?`)],
            reply: `Answer number ${i + 1}.`,
          }),
        ),
      );
      await ingest(server.url, await keyFor(server.deps, other), [bareRun(theirs, id("resync-theirs-run"), 0, 1)]);
      // One already has its summary: only the other two are missing.
      await callerFor(server.deps, owner).conversations.summarize({ orgId: owner.orgId, conversationId: chats[0]! });
      before = await stored(server.deps, owner.orgId, chats[0]!);
    } finally {
      // The embedded database is released for the script.
      await server.shutdown();
    }

    const first = await runResync(databaseEnv, ["--org", owner.orgId]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim().split("\n")).toEqual([
      "2 conversation summaries to write.",
      "Done: 0 by the LLM provider, 2 extracted, 0 failed.",
    ]);
    expect(first.stderr.trim().split("\n")).toEqual([
      `[${"░".repeat(30)}] 0/2 0%`,
      `[${"█".repeat(15)}${"░".repeat(15)}] 1/2 50%`,
      fullBar(2),
    ]);
    const { mine: afterFirst, theirs: untouched } = await rows(owner.orgId, chats);
    expect(afterFirst.map((r) => [r.summary_source, r.summary_due])).toEqual([
      ["extractive", false],
      ["extractive", false],
      ["extractive", false],
    ]);
    expect(afterFirst[0]!.summarized_ms).toBe(before.summarized_ms);
    expect(afterFirst[1]!.summary).toBe(
      '1 run: 1 user message and 1 assistant reply.\nThe user asked: "Question number 2 about invoices?"\nLast reply: "Answer number 2."',
    );
    expect(afterFirst[2]!.summary).toContain('The user asked: "Question number 3 about invoices?"');
    // --org kept the script to that organisation.
    expect(untouched).toMatchObject({ summary: null, summary_due: true });

    const again = await runResync(databaseEnv, ["--org", owner.orgId]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("0 conversation summaries to write.");
    expect(again.stdout).toContain("Done: 0 by the LLM provider, 0 extracted, 0 failed.");

    const all = await runResync(databaseEnv, ["--all", "--org", owner.orgId]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout.trim().split("\n")).toEqual([
      "3 conversation summaries to write.",
      "Done: 0 by the LLM provider, 3 extracted, 0 failed.",
    ]);
    expect(all.stderr).toContain(fullBar(3));
    const { mine: rewritten } = await rows(owner.orgId, chats);
    rewritten.forEach((row, i) => {
      expect(row.summarized_ms!).toBeGreaterThan(afterFirst[i]!.summarized_ms!);
      expect(row.summary).toBe(afterFirst[i]!.summary);
    });
  }, 120_000);
});
