import { describe, expect, it } from "vitest";
import { defineWorkflow } from "./define.ts";
import { replayPolicy, runWorkflow } from "./engine.ts";
import type { ToolContext } from "./types.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tools that count their calls. */
function counted() {
  const calls: Record<string, unknown[]> = {};
  const tool =
    (name: string, fn: (args: unknown) => unknown = (args) => ({ from: name, args })) =>
    (args: unknown) => {
      (calls[name] ??= []).push(args);
      return fn(args);
    };
  return { calls, tool };
}

describe("runWorkflow", () => {
  it("runs steps in order against the input and earlier outputs, reporting each start and end", async () => {
    const events: string[] = [];
    const wf = defineWorkflow({
      name: "order",
      steps: [
        { id: "classify", type: "llm", model: "echos/sim", prompt: "Classify: {{input.ticket}}", temperature: 0.2 },
        {
          id: "score",
          type: "code",
          code: "return { urgent: input.input.ticket.includes('refund'), n: input.classify.length > 0 }",
        },
        {
          id: "notify",
          type: "tool",
          tool: "send",
          args: { text: "{{steps.classify.output}}", s: "{{steps.score.output}}" },
        },
      ],
      output: { urgent: "{{steps.score.output.urgent}}", note: "sent {{steps.notify.output.ok}}" },
    });
    const result = await runWorkflow(
      wf,
      { ticket: "refund please" },
      {
        tools: { send: (args: { text: string }) => ({ ok: args.text.length > 0 }) },
        onStepStart: (step, config) => events.push(`start ${step.id} ${JSON.stringify(config)}`),
        onStepEnd: (step, r) => events.push(`end ${step.id} ${r.status}`),
      },
    );
    expect(result).toMatchObject({ status: "success", output: { urgent: true, note: "sent true" } });
    expect(result.steps.classify).toMatchObject({ status: "success", model: "echos/sim", policy: "live", attempts: 1 });
    expect(result.steps.score?.output).toEqual({ urgent: true, n: true });
    expect(events).toHaveLength(6);
    expect(events[0]).toContain('"prompt":"Classify: refund please"');
    expect(events[5]).toBe("end notify success");
  });

  it("stops at a failing step, and goes on past one with continueOnError", async () => {
    const { calls, tool } = counted();
    const boom = tool("boom", () => {
      throw new TypeError("no such order");
    });
    const steps = [
      { id: "a", type: "tool" as const, tool: "boom" },
      { id: "b", type: "tool" as const, tool: "after", args: { why: "{{steps.a.error}}" } },
    ];
    const tools = { boom, after: tool("after") };
    const stopped = await runWorkflow(defineWorkflow({ name: "stop", steps }), {}, { tools });
    expect(stopped).toMatchObject({ status: "error", error: 'Step "a" failed: TypeError: no such order' });
    expect(calls.after).toBeUndefined();
    expect(Object.keys(stopped.steps)).toEqual(["a"]);

    const wf = defineWorkflow({ name: "go-on", steps: [{ ...steps[0]!, continueOnError: true }, steps[1]!] });
    const continued = await runWorkflow(wf, {}, { tools });
    expect(continued.status).toBe("success");
    expect(continued.steps.a).toMatchObject({ status: "error", error: "TypeError: no such order" });
    expect(calls.after).toEqual([{ why: "TypeError: no such order" }]);
  });

  it("names an unknown tool", async () => {
    const result = await runWorkflow(
      defineWorkflow({ name: "t", steps: [{ id: "x", type: "tool", tool: "nope" }] }),
      {},
    );
    expect(result.steps.x?.error).toMatch(/Unknown tool "nope"/);
  });

  it("retries a failing step with backoff", async () => {
    let calls = 0;
    const flaky = () => {
      if (++calls <= 2) throw new Error(`attempt ${calls} failed`);
      return "third time lucky";
    };
    const wf = (retries: number) =>
      defineWorkflow({ name: "r", steps: [{ id: "f", type: "tool", tool: "flaky", retries }] });
    const ok = await runWorkflow(wf(2), {}, { tools: { flaky }, retryDelayMs: 5 });
    expect(ok).toMatchObject({ status: "success", output: "third time lucky" });
    expect(ok.steps.f?.attempts).toBe(3);
    calls = 0;
    const failed = await runWorkflow(wf(1), {}, { tools: { flaky }, retryDelayMs: 5 });
    expect(failed.steps.f).toMatchObject({ status: "error", error: "attempt 2 failed", attempts: 2 });
  });

  it("fails a step that runs past its timeoutMs, and aborts its signal", async () => {
    let aborted = false;
    const slow = async (_args: unknown, { signal }: ToolContext) => {
      signal.addEventListener("abort", () => (aborted = true));
      await sleep(2000);
      return "too late";
    };
    const wf = defineWorkflow({ name: "slow", steps: [{ id: "s", type: "tool", tool: "slow", timeoutMs: 50 }] });
    const result = await runWorkflow(wf, {}, { tools: { slow } });
    expect(result.steps.s?.error).toMatch(/timed out after 50 ms/);
    expect(result.steps.s?.durationMs).toBeLessThan(1000);
    expect(aborted).toBe(true);
  });

  it("sends a chat's history between the system message and the prompt, and records it", async () => {
    const history = [
      { role: "user", content: "My parcel is late" },
      { role: "assistant", content: "Sorry! Which order is it?" },
    ];
    const wf = defineWorkflow({
      name: "chat",
      steps: [
        {
          id: "reply",
          type: "llm",
          model: "echos/sim",
          system: "Be kind.",
          history: "{{input.history}}",
          prompt: "{{input.message}}",
        },
      ],
    });
    const inputs: unknown[] = [];
    const result = await runWorkflow(
      wf,
      { history, message: "Order A-1002" },
      { onStepStart: (_step, _config, input) => inputs.push(input) },
    );
    expect(inputs).toEqual([
      { messages: [{ role: "system", content: "Be kind." }, ...history, { role: "user", content: "Order A-1002" }] },
    ]);
    expect(result.steps.reply?.inputTokens).toBe(2 + 4 + 5 + 2);
    const fresh = await runWorkflow(wf, { history: [], message: "Order A-1002" });
    expect(fresh.output).not.toBe(result.output);
    const broken = await runWorkflow(wf, { history: "not a list", message: "hi" });
    expect(broken.steps.reply?.error).toMatch(/^history: expected a list of/);
  });

  it("lets echos/sim take its latencyMs, cut short by the step's timeout", async () => {
    const wf = (timeoutMs?: number) =>
      defineWorkflow({
        name: "slow-sim",
        steps: [{ id: "a", type: "llm", model: "echos/sim", prompt: "Hi", latencyMs: 120, timeoutMs }],
      });
    const ok = await runWorkflow(wf(), {});
    expect(ok.status).toBe("success");
    expect(ok.steps.a?.durationMs).toBeGreaterThanOrEqual(115);
    const late = await runWorkflow(wf(30), {});
    expect(late.steps.a?.error).toMatch(/timed out after 30 ms/);
  });
});

describe("replay", () => {
  const wf = defineWorkflow({
    name: "replay",
    steps: [
      { id: "fetch", type: "tool", tool: "fetchOrder" },
      { id: "classify", type: "llm", model: "echos/sim", prompt: "Order {{steps.fetch.output.id}}" },
      { id: "reply", type: "tool", tool: "draft", args: { text: "{{steps.classify.output}}" } },
      { id: "send", type: "tool", tool: "email", args: { text: "{{steps.reply.output}}" }, sideEffects: true },
    ],
  });

  it("takes recorded steps from the recording without running them", async () => {
    const { calls, tool } = counted();
    const tools = { fetchOrder: tool("fetchOrder"), draft: tool("draft", () => "draft"), email: tool("email") };
    const recording = { fetch: { output: { id: 7 } }, classify: { output: "recorded text", model: "echos/sim" } };
    const result = await runWorkflow(wf, {}, { tools, recording, policy: (_s, i) => (i < 2 ? "recorded" : "live") });
    expect(result.status).toBe("success");
    expect(calls.fetchOrder).toBeUndefined();
    expect(result.steps.fetch).toMatchObject({ status: "success", output: { id: 7 }, policy: "recorded", attempts: 0 });
    expect(result.steps.classify).toMatchObject({ output: "recorded text", policy: "recorded" });
    expect(calls.draft).toEqual([{ text: "recorded text" }]);
    expect(calls.email).toEqual([{ text: "draft" }]);
  });

  it("fails a recorded step without side effects that is missing from the recording", async () => {
    const result = await runWorkflow(wf, {}, { recording: {}, policy: () => "recorded" });
    expect(result).toMatchObject({
      status: "error",
      error:
        'Step "fetch" failed: No recorded output for step fetch: the original run never finished it; switch it to live to run it',
    });
  });

  it("holds a side effect the original run never reached instead of failing, and the replay succeeds", async () => {
    const { calls, tool } = counted();
    const tools = { fetchOrder: tool("fetchOrder"), draft: tool("draft", () => "fixed draft"), email: tool("email") };
    // The original failed at `reply`, so `send` was never recorded.
    const recording = {
      fetch: { output: { id: 7 }, status: "success" as const },
      classify: { output: "text", status: "success" as const },
      reply: { status: "error" as const, error: "draft tool crashed" },
    };
    const ended: string[] = [];
    const result = await runWorkflow(
      wf,
      {},
      {
        tools,
        recording,
        policy: replayPolicy(wf, "reply"),
        onStepEnd: (step, r) => ended.push(`${step.id}:${r.status}`),
      },
    );
    expect(calls.email).toBeUndefined();
    expect(result.status).toBe("success");
    expect(result.held).toEqual(["send"]);
    expect(result.output).toBeUndefined();
    expect(result.steps.send).toMatchObject({
      status: "held",
      policy: "recorded",
      attempts: 0,
      held: 'would call tool email with {"text":"fixed draft"}; switch it live to run it',
    });
    expect(ended).toEqual(["fetch:success", "classify:success", "reply:success", "send:held"]);
  });

  it("holds an http side effect with its method and resolved URL, and every later step that needs its output", async () => {
    const flow = defineWorkflow({
      name: "refund",
      steps: [
        { id: "decide", type: "code", code: "return { id: input.input.order }" },
        {
          id: "refund",
          type: "http",
          method: "POST",
          url: "https://pay.example/orders/{{steps.decide.output.id}}/refund",
        },
        { id: "confirm", type: "llm", model: "echos/sim", prompt: "Refund said {{steps.refund.output.body}}" },
        { id: "audit", type: "code", code: "return input.refund ? 'logged' : 'nothing'" },
        { id: "note", type: "llm", model: "echos/sim", prompt: "Order {{steps.decide.output.id}} handled" },
      ],
    });
    const fetched: string[] = [];
    const result = await runWorkflow(
      flow,
      { order: "A-17" },
      {
        recording: {},
        policy: replayPolicy(flow, "decide"),
        fetch: (async (url: string) => {
          fetched.push(url);
          return new Response("{}");
        }) as typeof fetch,
      },
    );
    expect(fetched).toEqual([]);
    expect(result.status).toBe("success");
    expect(result.held).toEqual(["refund", "confirm", "audit"]);
    expect(result.steps.refund?.held).toBe(
      "would call POST https://pay.example/orders/A-17/refund; switch it live to run it",
    );
    expect(result.steps.confirm).toMatchObject({ status: "held", held: "needs the output of held step refund" });
    expect(result.steps.audit).toMatchObject({ status: "held", held: "needs the output of held step refund" });
    // A step that does not need the held output still runs, and is the run's output.
    expect(result.steps.note?.status).toBe("success");
    expect(result.output).toBe(result.steps.note?.output);
  });

  it("runs a held side effect when the user switches it live, and leaves a recorded one as recorded", async () => {
    const { calls, tool } = counted();
    const tools = { fetchOrder: tool("fetchOrder"), draft: tool("draft", () => "d"), email: tool("email") };
    const live = await runWorkflow(
      wf,
      {},
      { tools, recording: {}, policy: replayPolicy(wf, "fetch", { send: "live" }) },
    );
    expect(live.held).toEqual([]);
    expect(calls.email).toEqual([{ text: "d" }]);
    // A recording from a replay that held the step holds it again rather than taking its empty output.
    const again = await runWorkflow(
      wf,
      {},
      { tools, recording: { send: { status: "held" } }, policy: replayPolicy(wf, "fetch") },
    );
    expect(again.steps.send?.status).toBe("held");
    expect(calls.email).toHaveLength(1);
  });

  it("leaves the run's output out when its template reads a held step", async () => {
    const flow = defineWorkflow({
      name: "out",
      steps: [
        { id: "a", type: "code", code: "return 1" },
        { id: "b", type: "tool", tool: "t", sideEffects: true },
      ],
      output: { sent: "{{steps.b.output}}" },
    });
    const result = await runWorkflow(flow, {}, { recording: {}, policy: replayPolicy(flow, "a") });
    expect(result).toMatchObject({ status: "success", held: ["b"] });
    expect(result.output).toBeUndefined();
  });

  it("replays from a fork with an override, keeping side effects recorded", async () => {
    const { calls, tool } = counted();
    const tools = { fetchOrder: tool("fetchOrder"), draft: tool("draft", () => "new draft"), email: tool("email") };
    const originalTools = { fetchOrder: () => ({ id: 7 }), draft: () => "draft", email: () => ({ sent: true }) };
    const original = await runWorkflow(wf, {}, { tools: originalTools });
    const result = await runWorkflow(
      wf,
      {},
      {
        tools,
        recording: original.steps,
        policy: replayPolicy(wf, "classify"),
        overrides: { classify: { prompt: "Order {{steps.fetch.output.id}}, answer in French", temperature: 1.2 } },
      },
    );
    expect(calls.fetchOrder).toBeUndefined();
    expect(calls.email).toBeUndefined(); // a replay must not e-mail the customer again
    expect(result.steps.classify?.policy).toBe("live");
    expect(result.steps.classify?.output).not.toBe(original.steps.classify?.output);
    expect(calls.draft).toEqual([{ text: result.steps.classify?.output }]);
    expect(result.steps.send).toMatchObject({ policy: "recorded", output: { sent: true } });
    expect(() => replayPolicy(wf, "nope")).toThrow(/Unknown step/);
    const invalid = await runWorkflow(wf, {}, { tools, overrides: { classify: { temperature: 7 } } });
    expect(invalid.steps.classify?.error).toMatch(/^Invalid override: temperature: Too big/);
  });
});
