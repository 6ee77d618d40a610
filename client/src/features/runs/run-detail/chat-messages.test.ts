import { describe, expect, it } from "vitest";
import { chatMessagesOf, replyOf } from "./chat-messages.tsx";

const toolCall = { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } };

describe("chat messages of a span", () => {
  it("reads a list of messages, as imported traces are stored, and the SDK's { messages }", () => {
    const list = [
      { role: "system", content: "Be brief." },
      { role: "user", content: [{ type: "text", text: "Weather?" }] },
      { role: "assistant", content: null, tool_calls: [toolCall] },
      { role: "tool", tool_call_id: "call_1", content: { sky: "clear" } },
    ];
    const expected = [
      { role: "system", content: "Be brief.", toolCalls: null },
      { role: "user", content: "Weather?", toolCalls: null },
      { role: "assistant", content: "", toolCalls: 'get_weather({"city":"Paris"})' },
      { role: "tool", content: JSON.stringify({ sky: "clear" }, null, 2), toolCalls: null },
    ];
    expect(chatMessagesOf(list)).toEqual(expected);
    expect(chatMessagesOf({ messages: list })).toEqual(expected);
  });

  it("shows each tool call as its function and arguments, and other shapes as JSON", () => {
    const calls = [toolCall, { ...toolCall, function: { name: "search", arguments: "not json" } }, { name: "x" }];
    expect(replyOf([{ role: "assistant", content: "", tool_calls: calls }])?.toolCalls).toBe(
      ['get_weather({"city":"Paris"})', "search(not json)", JSON.stringify({ name: "x" }, null, 2)].join("\n"),
    );
  });

  it("is not a conversation unless every entry is a message", () => {
    expect(chatMessagesOf([{ role: "user", content: "hi" }, { city: "Paris" }])).toBeNull();
    expect(chatMessagesOf([])).toBeNull();
    expect(chatMessagesOf({ city: "Paris" })).toBeNull();
    expect(chatMessagesOf("hello")).toBeNull();
  });

  it("finds the reply in a list of output messages, with its tool calls", () => {
    expect(replyOf([{ role: "assistant", content: "Sunny.", finish_reason: "stop" }])).toEqual({
      role: "assistant",
      content: "Sunny.",
      toolCalls: null,
    });
    expect(replyOf([{ role: "assistant", content: null, tool_calls: [toolCall] }])).toEqual({
      role: "assistant",
      content: "",
      toolCalls: 'get_weather({"city":"Paris"})',
    });
    expect(replyOf({ choices: [{ message: { role: "assistant", content: "Hi", tool_calls: [toolCall] } }] })).toEqual({
      role: "assistant",
      content: "Hi",
      toolCalls: 'get_weather({"city":"Paris"})',
    });
    expect(replyOf("plain")).toEqual({ role: "assistant", content: "plain", toolCalls: null });
    expect(replyOf([{ sky: "clear" }])).toBeNull();
  });
});
