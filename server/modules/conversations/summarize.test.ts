import { describe, expect, it } from "vitest";
import type { RunSummary, TranscriptMessage, TranscriptRole } from "@shared/schemas/runs.ts";
import { extractiveSummary, keySentences, summaryPrompt } from "./summarize.ts";

const T0 = Date.UTC(2025, 2, 3, 9, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

function run(id: string, startMinute: number, endMinute: number | null, extra: Partial<RunSummary> = {}): RunSummary {
  const startedAt = T0 + startMinute * 60_000;
  const endedAt = endMinute === null ? null : T0 + endMinute * 60_000;
  return {
    id,
    seq: 1,
    name: "support-chat",
    status: "success",
    startedAt: iso(startedAt),
    endedAt: endedAt === null ? null : iso(endedAt),
    durationMs: endedAt === null ? null : endedAt - startedAt,
    workflow: "support-chat",
    workflowVersionId: null,
    tags: [],
    conversationId: "chat-1",
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    spanCount: 1,
    errorCount: 0,
    unpricedCount: 0,
    replayOf: null,
    error: null,
    verdict: null,
    verdictStep: null,
    ...extra,
  };
}

const message = (role: TranscriptRole, content: string): TranscriptMessage => ({
  role,
  content,
  at: iso(T0),
  runId: "run-1",
  spanId: "span-1",
  ...(role === "assistant" ? { model: "gpt-4o-mini" } : {}),
});

describe("extractiveSummary", () => {
  const transcript = [
    message("system", "You are Echo, Acme's support assistant. Never promise refunds."),
    message("user", "My parcel for order 1234 has not arrived. It was due on Monday."),
    message("assistant", "I am sorry to hear that. Let me look up order 1234 for you."),
    message("assistant", "The carrier reports order 1234 as lost in transit. I can send a replacement parcel today."),
    message("user", "Yes please send the replacement parcel to the same address."),
    message("assistant", "Done: a replacement for order 1234 ships today and arrives Thursday."),
  ];
  const runs = [
    run("r1", 0, 1),
    run("r2", 5, 6, { status: "error", errorCount: 1, error: "Tool getOrder timed out after 10 s" }),
    run("r3", 12, 14, { status: "error", errorCount: 1, error: "Carrier API answered 503" }),
    run("r4", 20, 22),
  ];

  it("tells how many runs over how long, who asked what, how it ended and the last error", () => {
    const summary = extractiveSummary(transcript, runs);
    const lines = summary.split("\n");
    expect(lines[0]).toBe("4 runs over 22 min: 2 user messages and 3 assistant replies, 2 failed.");
    expect(lines[1]).toBe('The user asked: "My parcel for order 1234 has not arrived. It was due on Monday."');
    expect(lines).toContain('Last reply: "Done: a replacement for order 1234 ships today and arrives Thursday."');
    expect(lines.at(-1)).toBe("Last error: Carrier API answered 503");
    // The system prompt is not a turn of the conversation.
    expect(summary).not.toContain("Never promise refunds");
  });

  it("adds the key sentences of the middle of the conversation, neither the question nor the last reply", () => {
    const along = extractiveSummary(transcript, runs)
      .split("\n")
      .find((l) => l.startsWith("Along the way: "));
    expect(along).toBe(
      'Along the way: "I can send a replacement parcel today." ' +
        '"Yes please send the replacement parcel to the same address."',
    );
  });

  it("quotes the last reply once when the user spoke last, and takes key sentences from the user's last words", () => {
    const summary = extractiveSummary(
      [
        message("user", "Hi, I need help with the invoice for March."),
        message("assistant", "Sure. Your March invoice lists two seats at 20 EUR each, billed on the first."),
        message("user", "Why two seats on the March invoice when only one user ever signed in?"),
      ],
      [run("r1", 0, 1), run("r2", 2, 3)],
    );
    expect(summary).toBe(
      [
        "2 runs over 3 min: 2 user messages and 1 assistant reply.",
        'The user asked: "Hi, I need help with the invoice for March."',
        'Along the way: "Why two seats on the March invoice when only one user ever signed in?"',
        'Last reply: "Sure. Your March invoice lists two seats at 20 EUR each, billed on the first."',
      ].join("\n"),
    );
  });

  it("says one run, one message and one reply in the singular, and leaves out what did not happen", () => {
    const summary = extractiveSummary(
      [message("user", "Hello there, can you help?"), message("assistant", "Of course, what do you need?")],
      [run("r1", 0, 0)],
    );
    expect(summary).toBe(
      [
        "1 run: 1 user message and 1 assistant reply.",
        'The user asked: "Hello there, can you help?"',
        'Last reply: "Of course, what do you need?"',
      ].join("\n"),
    );
  });

  it("handles conversations without any LLM message", () => {
    expect(extractiveSummary([], [])).toBe(
      "0 runs: 0 user messages and 0 assistant replies.\nNo LLM messages were recorded in these runs.",
    );
    expect(
      extractiveSummary(
        [message("system", "Only a system prompt")],
        [run("r1", 0, 3, { status: "error", error: "Out of credit" }), run("r2", 4, null)],
      ),
    ).toBe(
      [
        "2 runs over 4 min: 0 user messages and 0 assistant replies, 1 failed.",
        "Last error: Out of credit",
        "No LLM messages were recorded in these runs.",
      ].join("\n"),
    );
  });

  it("clips very long messages with an ellipsis", () => {
    const long = `Please help ${"very ".repeat(100)}much`;
    const summary = extractiveSummary([message("user", long)], [run("r1", 0, 1)]);
    const asked = summary.split("\n")[1]!;
    expect(asked).toBe(`The user asked: "${long.slice(0, 199).trimEnd()}…"`);
  });
});

describe("keySentences", () => {
  const messages = [
    message("user", "My refund for order 1234 never arrived. The weather is nice today in Paris."),
    message("assistant", "I checked the refund status for order 1234. It shows the refund was sent yesterday."),
    message("user", "Cats like sleeping near warm windows.\nOk thanks."),
  ];

  it("picks the sentences that carry the most frequent words, in the order they were said", () => {
    expect(keySentences(messages, 3, new Set())).toEqual([
      "My refund for order 1234 never arrived.",
      "I checked the refund status for order 1234.",
      "It shows the refund was sent yesterday.",
    ]);
    expect(keySentences(messages, 1, new Set())).toEqual(["My refund for order 1234 never arrived."]);
  });

  it("returns the chosen sentences in spoken order even when a later one scores higher", () => {
    const chosen = keySentences(
      [
        message("user", "Shipping labels print blank on the Zebra printer."),
        message("assistant", "Blank labels usually mean the printer driver lost its label size."),
        message("user", "The printer driver shows the label size as blank labels, printer offline."),
      ],
      2,
      new Set(),
    );
    expect(chosen).toEqual([
      "Blank labels usually mean the printer driver lost its label size.",
      "The printer driver shows the label size as blank labels, printer offline.",
    ]);
  });

  it("skips short sentences and the ones it is told to skip", () => {
    const skip = new Set(["My refund for order 1234 never arrived."]);
    const chosen = keySentences(messages, 10, skip);
    expect(chosen).not.toContain("My refund for order 1234 never arrived.");
    expect(chosen).not.toContain("Ok thanks.");
    expect(chosen).toEqual([
      "The weather is nice today in Paris.",
      "I checked the refund status for order 1234.",
      "It shows the refund was sent yesterday.",
      "Cats like sleeping near warm windows.",
    ]);
    expect(keySentences([], 2, new Set())).toEqual([]);
  });
});

describe("summaryPrompt", () => {
  it("gives the whole transcript of a short conversation, one line per message, and how many runs failed", () => {
    const prompt = summaryPrompt(
      [message("system", "Be kind."), message("user", "Hi,\n  how are you?"), message("assistant", "Fine!")],
      [run("r1", 0, 1), run("r2", 2, 3, { status: "error", error: "boom" })],
    );
    expect(prompt).toContain(
      "Conversation of 2 agent runs (1 failed):\n\nSYSTEM: Be kind.\nUSER: Hi, how are you?\nASSISTANT: Fine!\n\n",
    );
    expect(prompt).toMatch(/Summarise it in 2 to 4 sentences/);
  });

  it("keeps the beginning and the end of a very long transcript and says how much it left out", () => {
    const transcript = Array.from({ length: 200 }, (_, i) =>
      message(i % 2 === 0 ? "user" : "assistant", `turn-${i}: ${"x".repeat(200)} end-of-${i}`),
    );
    const full = transcript.map((m) => `${m.role.toUpperCase()}: ${m.content}`).join("\n");
    expect(full.length).toBeGreaterThan(40_000);
    const prompt = summaryPrompt(transcript, [run("r1", 0, 1)]);
    expect(prompt.startsWith(`Conversation of 1 agent run:\n\nUSER: turn-0: `)).toBe(true);
    expect(prompt).toContain(full.slice(0, 6000));
    expect(prompt).toContain(full.slice(-6000));
    expect(prompt).toContain("end-of-199\n\nSummarise it");
    expect(prompt).toContain(`\n[… ${full.length - 12_000} characters omitted …]\n`);
    expect(prompt).not.toContain("turn-100:");
    expect(prompt.length).toBeLessThan(12_600);
  });
});
