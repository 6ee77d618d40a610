import { describe, expect, it } from "vitest";
import { answerOf, messagesOf } from "./playground.ts";

describe("the playground's view of a recorded LLM span", () => {
  it("reads messages as the runtime, OpenTelemetry and plain trace() spans store them", () => {
    const turns = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
    ];
    expect(messagesOf({ messages: turns })).toEqual(turns);
    expect(messagesOf(turns)).toEqual(turns);
    expect(messagesOf("Hi")).toEqual([{ role: "user", content: "Hi" }]);
    expect(
      messagesOf([
        { role: "tool", content: "x" },
        { role: "user", content: { a: 1 } },
      ]),
    ).toEqual([{ role: "user", content: '{"a":1}' }]);
  });

  it("compares answers as text, whatever shape the span kept its output in", () => {
    expect(answerOf("Sure.")).toBe("Sure.");
    expect(answerOf({ text: "Sure.", model: "echos/sim", inputTokens: 3 })).toBe("Sure.");
    expect(
      answerOf([
        { role: "assistant", content: "One" },
        { role: "assistant", content: "Two" },
      ]),
    ).toBe("One\nTwo");
    expect(answerOf({ tokens: 3 })).toEqual({ tokens: 3 });
  });
});
