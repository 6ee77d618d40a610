import { setTimeout as delay } from "node:timers/promises";
import type { EchosClient } from "../../../sdk/client.ts";
import { span, trace } from "../../../sdk/trace.ts";
import { SIM_MODEL, simulateChat } from "@shared/workflow/sim-model.ts";

export interface Inbox {
  folder: string;
  /** Set when the mailbox refuses the agent, as it did one night. */
  failure?: string;
  emails: { from: string; subject: string }[];
}

export const INBOXES: Inbox[] = [
  {
    folder: "support@acme.example",
    emails: [
      { from: "ada@example.com", subject: "Charged twice" },
      { from: "linus@example.com", subject: "Where is my parcel?" },
      { from: "grace@example.com", subject: "Invoice download broken" },
      { from: "barbara@example.com", subject: "Bulk pricing" },
    ],
  },
  {
    folder: "sales@acme.example",
    emails: [
      { from: "procurement@bigco.example", subject: "Security questionnaire" },
      { from: "cto@startup.example", subject: "Volume discount for 50 seats?" },
    ],
  },
  {
    folder: "billing@acme.example",
    failure: "IMAP login failed: the app password for billing@acme.example was revoked",
    emails: [],
  },
];

/**
 * The demo team's one agent that is instrumented with `trace()` and `span()` instead of being a workflow: an
 * inbox digest posted to chat, with nested spans and an LLM span carrying its messages and token counts.
 */
export async function inboxDigest(
  inbox: Inbox,
  client: EchosClient,
  clock: () => number,
): Promise<"success" | "error"> {
  const run = async () => {
    const emails = await span("fetch inbox", () => fetchInbox(inbox), {
      kind: "tool",
      input: { folder: inbox.folder },
    });
    const topics = await span("group by topic", () => groupByTopic(emails), { kind: "code" });
    const request = {
      model: SIM_MODEL,
      system: "You write a short digest of a shared inbox for the team.",
      prompt: `Inbox ${inbox.folder}. Topics: ${JSON.stringify(topics)}`,
      temperature: 0.5,
    };
    const digest = await span("write digest", () => delay(480).then(() => simulateChat(request)), {
      kind: "llm",
      model: SIM_MODEL,
      input: {
        messages: [
          { role: "system", content: request.system },
          { role: "user", content: request.prompt },
        ],
      },
      config: { temperature: request.temperature },
      usage: (r) => ({ inputTokens: r.inputTokens, outputTokens: r.outputTokens }),
    });
    await span("post to #team-inbox", () => delay(90).then(() => ({ ok: true })), {
      kind: "tool",
      input: { channel: "#team-inbox", text: digest.text },
    });
    return { emails: emails.length, topics: Object.keys(topics), digest: digest.text };
  };
  try {
    await trace("inbox-digest", run, {
      client,
      clock,
      input: { folder: inbox.folder },
      tags: ["cron", "internal"],
      metadata: { trigger: "schedule" },
    });
    return "success";
  } catch {
    return "error";
  }
}

/** Lists the unread mail, then fetches each message: spans with children of their own. */
async function fetchInbox(inbox: Inbox) {
  const unread = await span(
    "list unread",
    async () => {
      await delay(120);
      if (inbox.failure) throw new Error(inbox.failure);
      return inbox.emails.map((_, i) => `msg-${i + 1}`);
    },
    { kind: "tool", input: { folder: inbox.folder } },
  );
  return Promise.all(
    unread.map((id, i) =>
      span(`fetch ${id}`, () => delay(40 + i * 15).then(() => inbox.emails[i]!), { kind: "tool", input: { id } }),
    ),
  );
}

function groupByTopic(emails: Inbox["emails"]) {
  const topicOf = (subject: string) =>
    /charge|invoice|pric|discount/i.test(subject) ? "billing" : /parcel|deliver/i.test(subject) ? "shipping" : "other";
  const topics: Record<string, string[]> = {};
  for (const { subject } of emails) (topics[topicOf(subject)] ??= []).push(subject);
  return topics;
}
