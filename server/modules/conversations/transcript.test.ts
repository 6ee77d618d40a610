import { describe, expect, it } from "vitest";
import { buildTranscript, contentText, inputMessages, type LlmSpanRow, outputMessages } from "./transcript.ts";

let sequence = 0;
/** One LLM span; each gets its own id and a later time than the one before. */
function span(input: unknown, output: unknown, extra: Partial<LlmSpanRow> = {}): LlmSpanRow {
  sequence++;
  return {
    runId: `run-${sequence}`,
    spanId: `span-${sequence}`,
    at: new Date(Date.UTC(2025, 0, 1, 12, 0, sequence)).toISOString(),
    model: "gpt-4o-mini",
    input,
    output,
    ...extra,
  };
}

/** The transcript as "role: content" lines, easy to compare in full. */
const lines = (spans: LlmSpanRow[]) => buildTranscript(spans).map((m) => `${m.role}: ${m.content}`);

const SYSTEM = { role: "system", content: "You are Echo, Acme's support assistant." };

describe("buildTranscript", () => {
  it("keeps each turn once when every call re-sends the chat so far (workflow-engine style, string output)", () => {
    const u1 = { role: "user", content: "Where is my order 1234?" };
    const a1 = { role: "assistant", content: "It left the warehouse on Monday." };
    const u2 = { role: "user", content: "When will it arrive?" };
    const a2 = { role: "assistant", content: "Thursday, by noon." };
    const u3 = { role: "user", content: "Thanks, can I change the address?" };
    const spans = [
      span({ messages: [SYSTEM, u1] }, a1.content),
      span({ messages: [SYSTEM, u1, a1, u2] }, a2.content),
      span({ messages: [SYSTEM, u1, a1, u2, a2, u3] }, "Yes, until it ships from the depot."),
    ];
    expect(lines(spans)).toEqual([
      "system: You are Echo, Acme's support assistant.",
      "user: Where is my order 1234?",
      "assistant: It left the warehouse on Monday.",
      "user: When will it arrive?",
      "assistant: Thursday, by noon.",
      "user: Thanks, can I change the address?",
      "assistant: Yes, until it ships from the depot.",
    ]);
  });

  it("shows the system message once, even when calls without history repeat it", () => {
    const spans = [
      span({ messages: [SYSTEM, { role: "user", content: "Hi" }] }, "Hello! How can I help?"),
      span({ messages: [SYSTEM, { role: "user", content: "Reset my password" }] }, "I sent you a reset link."),
    ];
    expect(lines(spans)).toEqual([
      "system: You are Echo, Acme's support assistant.",
      "user: Hi",
      "assistant: Hello! How can I help?",
      "user: Reset my password",
      "assistant: I sent you a reset link.",
    ]);
  });

  it("does not repeat the history when the system prompt changes between calls (e.g. it carries the time)", () => {
    const system = (time: string) => ({ role: "system", content: `You are Echo. The time is ${time}.` });
    const u1 = { role: "user", content: "Is the shop open?" };
    const a1 = { role: "assistant", content: "Yes, until 18:00." };
    const u2 = { role: "user", content: "And tomorrow?" };
    const spans = [
      span({ messages: [system("10:00"), u1] }, a1.content),
      span({ messages: [system("10:05"), u1, a1, u2] }, "From 9:00 to 18:00."),
    ];
    expect(lines(spans)).toEqual([
      "system: You are Echo. The time is 10:00.",
      "user: Is the shop open?",
      "assistant: Yes, until 18:00.",
      "system: You are Echo. The time is 10:05.",
      "user: And tomorrow?",
      "assistant: From 9:00 to 18:00.",
    ]);
  });

  it("keeps a question asked again in a new call without history", () => {
    const spans = [span("What is 2 + 2?", "4"), span("What is 2 + 2?", "Still 4.")];
    expect(lines(spans)).toEqual([
      "user: What is 2 + 2?",
      "assistant: 4",
      "user: What is 2 + 2?",
      "assistant: Still 4.",
    ]);
  });

  it("reads OTLP-style inputs: a list of messages whose content is a list of parts", () => {
    const text = (t: string) => [{ type: "text", text: t }];
    const spans = [
      span(
        [
          { role: "system", content: text("Answer in French.") },
          { role: "user", content: [...text("Translate:"), ...text("good morning")] },
        ],
        [{ role: "assistant", content: text("Bonjour") }],
      ),
      span(
        [
          { role: "system", content: text("Answer in French.") },
          { role: "user", content: [...text("Translate:"), ...text("good morning")] },
          { role: "assistant", content: text("Bonjour") },
          { role: "user", content: text("and good night?") },
        ],
        [{ role: "assistant", content: text("Bonne nuit") }],
      ),
    ];
    expect(lines(spans)).toEqual([
      "system: Answer in French.",
      "user: Translate:\ngood morning",
      "assistant: Bonjour",
      "user: and good night?",
      "assistant: Bonne nuit",
    ]);
  });

  it("reads outputs as a string, a message, a list of messages and an OpenAI completion", () => {
    const spans = [
      span("one", "plain text answer"),
      span("two", { role: "assistant", content: "a message" }),
      span("three", [
        { role: "assistant", content: "first of a list" },
        { role: "assistant", content: "second of a list" },
      ]),
      span("four", {
        id: "chatcmpl-1",
        choices: [{ index: 0, message: { role: "assistant", content: "from choices" }, finish_reason: "stop" }],
      }),
      span("five", { choices: [{ text: "legacy completion text" }] }),
      span("six", null),
    ];
    expect(lines(spans)).toEqual([
      "user: one",
      "assistant: plain text answer",
      "user: two",
      "assistant: a message",
      "user: three",
      "assistant: first of a list",
      "assistant: second of a list",
      "user: four",
      "assistant: from choices",
      "user: five",
      "assistant: legacy completion text",
      "user: six",
    ]);
  });

  it("reads prompts given as a plain string or as {prompt}", () => {
    expect(lines([span("Summarise this ticket", "Done."), span({ prompt: "Classify it" }, "billing")])).toEqual([
      "user: Summarise this ticket",
      "assistant: Done.",
      "user: Classify it",
      "assistant: billing",
    ]);
  });

  it("maps the speakers' roles of other providers, and falls back for unknown ones", () => {
    const spans = [
      span(
        [
          { role: "developer", content: "Be terse." },
          { role: "Human", content: "Weather in Oslo?" },
          { role: "model", parts: [{ text: "Let me check." }] },
          { role: "function", content: '{"temp": -3}' },
          { role: "narrator", content: "Unknown role: counted as the caller's" },
          { role: "constructor", content: "A role named like an Object property" },
          { role: "__proto__", content: "Another one" },
        ],
        [
          { role: "ai", content: "It is -3 °C." },
          { role: "toString", content: "Unknown role in an output: the model's" },
        ],
      ),
    ];
    const transcript = buildTranscript(spans);
    expect(transcript.map((m) => [m.role, m.content])).toEqual([
      ["system", "Be terse."],
      ["user", "Weather in Oslo?"],
      ["assistant", "Let me check."],
      ["tool", '{"temp": -3}'],
      ["user", "Unknown role: counted as the caller's"],
      ["user", "A role named like an Object property"],
      ["user", "Another one"],
      ["assistant", "It is -3 °C."],
      ["assistant", "Unknown role in an output: the model's"],
    ]);
    for (const m of transcript) expect(typeof m.role).toBe("string");
  });

  it("attaches the model to the assistant's turns only, and the run, span and time to every message", () => {
    const first = span({ messages: [SYSTEM, { role: "user", content: "Hi" }] }, "Hello!", { model: "gpt-4o" });
    const second = span(
      {
        messages: [
          SYSTEM,
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello!" },
          { role: "user", content: "Bye" },
        ],
      },
      "Goodbye!",
      { model: "claude-3-5-haiku" },
    );
    const transcript = buildTranscript([first, second]);
    expect(transcript).toEqual([
      { role: "system", content: SYSTEM.content, at: first.at, runId: first.runId, spanId: first.spanId },
      { role: "user", content: "Hi", at: first.at, runId: first.runId, spanId: first.spanId },
      {
        role: "assistant",
        content: "Hello!",
        at: first.at,
        runId: first.runId,
        spanId: first.spanId,
        model: "gpt-4o",
      },
      { role: "user", content: "Bye", at: second.at, runId: second.runId, spanId: second.spanId },
      {
        role: "assistant",
        content: "Goodbye!",
        at: second.at,
        runId: second.runId,
        spanId: second.spanId,
        model: "claude-3-5-haiku",
      },
    ]);
  });

  it("is empty without LLM messages, and skips empty ones", () => {
    expect(buildTranscript([])).toEqual([]);
    expect(lines([span(undefined, undefined), span({ messages: [{ role: "user", content: "" }] }, "")])).toEqual([]);
  });
});

describe("message helpers", () => {
  it("turns content into text: strings, parts, and JSON for anything else", () => {
    expect(contentText("plain")).toBe("plain");
    expect(contentText(null)).toBe("");
    expect(contentText([{ type: "text", text: "a" }, "b", { type: "text", content: "c" }])).toBe("a\nb\nc");
    expect(contentText({ type: "tool_call", id: "call_1", name: "getOrder", arguments: { id: 7 } })).toBe(
      '{"type":"tool_call","id":"call_1","name":"getOrder","arguments":{"id":7}}',
    );
    expect(contentText({ temperature: 3 })).toBe('{"temperature":3}');
    expect(contentText(42)).toBe("42");
  });

  it("reads the messages of an input and an output", () => {
    expect(inputMessages({ messages: ["just text", { role: "assistant", content: "ok" }] })).toEqual([
      { role: "user", content: "just text" },
      { role: "assistant", content: "ok" },
    ]);
    expect(inputMessages({ unrelated: true })).toEqual([]);
    expect(outputMessages({ text: "from text" })).toEqual([{ role: "assistant", content: "from text" }]);
    expect(outputMessages({ choices: [] })).toEqual([]);
  });
});
