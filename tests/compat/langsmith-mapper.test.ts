import { describe, expect, it } from "vitest";
import { mapRuns, type StoredSpan } from "../../server/modules/ingest/formats/langsmith.ts";

/**
 * The mapping's cases the JavaScript client never sends but other LangSmith producers do (the Python client's
 * times without an offset, a parent named only by `dotted_order`, LangChain's plain message dicts, reported
 * costs), and updates completed from what is stored.
 */
const ROOT = "0d6ef2a4-1c1e-4f4e-9d0e-3b1f8f5a0001";
const CHILD = "0d6ef2a4-1c1e-4f4e-9d0e-3b1f8f5a0002";
const LEAF = "0d6ef2a4-1c1e-4f4e-9d0e-3b1f8f5a0003";
const order = (...ids: string[]) => ids.map((id, i) => `20260101T00000${i}000000Z${id}`).join(".");

describe("LangSmith runs → Echos items", () => {
  it("places a run by dotted_order alone, and reads the Python client's times as UTC", () => {
    const { items, rejected } = mapRuns(
      [
        {
          op: "post",
          run: {
            id: LEAF,
            dotted_order: order(ROOT, CHILD, LEAF),
            name: "vector search",
            run_type: "retriever",
            start_time: "2026-01-01T00:00:02.123456",
            inputs: { query: "refund policy" },
          },
        },
      ],
      new Map(),
      new Set(),
    );
    expect(rejected).toEqual([]);
    expect(items).toEqual([
      expect.objectContaining({
        type: "span",
        id: `langsmith-${LEAF}`,
        runId: `langsmith-${ROOT}`,
        parentId: `langsmith-${CHILD}`,
        kind: "tool",
        status: "running",
        startedAt: "2026-01-01T00:00:02.123456Z",
        input: { query: "refund policy" },
      }),
    ]);
  });

  it("maps LangChain's plain message dicts, embeddings and reported costs", () => {
    const { items } = mapRuns(
      [
        {
          op: "post",
          run: {
            id: CHILD,
            trace_id: ROOT,
            parent_run_id: ROOT,
            name: "ChatAnthropic",
            run_type: "llm",
            start_time: "2026-01-01T00:00:01Z",
            end_time: "2026-01-01T00:00:02Z",
            inputs: {
              messages: [
                { type: "system", content: "Be kind." },
                { type: "human", content: "Hi" },
              ],
            },
            outputs: { message: { type: "ai", content: "Hello!", tool_calls: [{ name: "wave", args: {} }] } },
            extra: { metadata: { ls_model_name: "claude-sonnet-4" } },
            prompt_tokens: 9,
            completion_tokens: 3,
            total_cost: 0.0012,
          },
        },
        {
          op: "post",
          run: {
            id: LEAF,
            trace_id: ROOT,
            parent_run_id: CHILD,
            name: "embed",
            run_type: "embedding",
            start_time: "2026-01-01T00:00:01Z",
            inputs: { input: "Hi" },
          },
        },
      ],
      new Map(),
      new Set(),
    );
    expect(items[0]).toMatchObject({
      kind: "llm",
      model: "claude-sonnet-4",
      input: [
        { role: "system", content: "Be kind." },
        { role: "user", content: "Hi" },
      ],
      output: [
        {
          role: "assistant",
          content: "Hello!",
          tool_calls: [{ type: "function", function: { name: "wave", arguments: "{}" } }],
        },
      ],
      inputTokens: 9,
      outputTokens: 3,
      costUsd: 0.0012,
      status: "success",
    });
    expect(items[1]).toMatchObject({ kind: "llm", input: [{ role: "user", content: "Hi" }], costUsd: null });
    expect(items[1]).not.toHaveProperty("config");
  });

  it("completes an update from the stored span, keeping its attributes, and refuses one for an unknown run", () => {
    const stored: StoredSpan = {
      id: ROOT,
      runId: `langsmith-${ROOT}`,
      parentId: null,
      name: "planner",
      kind: "custom",
      startedAt: "2026-01-01T00:00:00.000Z",
      attributes: { "langsmith.run_type": "prompt", "langsmith.tags": ["beta"], "langsmith.session_name": "p1" },
    };
    const { items, rejected } = mapRuns(
      [
        { op: "patch", run: { id: ROOT, end_time: "2026-01-01T00:00:05Z", error: "Timeout" } },
        { op: "patch", run: { id: CHILD, end_time: "2026-01-01T00:00:05Z" } },
      ],
      new Map([[ROOT, stored]]),
      new Set([ROOT]),
    );
    expect(rejected).toEqual([{ id: CHILD, error: expect.stringMatching(/^unknown run/) }]);
    expect(items).toEqual([
      expect.objectContaining({
        type: "run",
        id: `langsmith-${ROOT}`,
        name: "planner",
        status: "error",
        error: "Timeout",
        tags: ["beta"],
        metadata: expect.objectContaining({ project: "p1" }),
      }),
      expect.objectContaining({
        type: "span",
        name: "planner",
        kind: "agent",
        startedAt: "2026-01-01T00:00:00.000Z",
        endedAt: "2026-01-01T00:00:05Z",
        attributes: expect.objectContaining({ "langsmith.tags": ["beta"], "langsmith.run_type": "prompt" }),
      }),
    ]);
  });

  it("reads an LLM update's model from its create's metadata when the update does not repeat it", () => {
    const stored: StoredSpan = {
      id: CHILD,
      runId: `langsmith-${ROOT}`,
      parentId: `langsmith-${ROOT}`,
      name: "ChatOpenAI",
      kind: "llm",
      startedAt: "2026-01-01T00:00:01.000Z",
      attributes: { "langsmith.run_type": "llm", "langsmith.extra": { metadata: { ls_model_name: "gpt-4o" } } },
    };
    const { items } = mapRuns(
      [
        {
          op: "patch",
          run: {
            id: CHILD,
            end_time: "2026-01-01T00:00:03Z",
            outputs: {
              choices: [{ message: { role: "assistant", content: "Done." }, finish_reason: "stop" }],
              usage_metadata: { input_tokens: 21, output_tokens: 2 },
            },
          },
        },
      ],
      new Map([[CHILD, stored]]),
      new Set(),
    );
    expect(items).toEqual([
      expect.objectContaining({
        type: "span",
        kind: "llm",
        parentId: `langsmith-${ROOT}`,
        model: "gpt-4o",
        inputTokens: 21,
        outputTokens: 2,
        output: [{ role: "assistant", content: "Done.", finish_reason: "stop" }],
      }),
    ]);
  });
});
