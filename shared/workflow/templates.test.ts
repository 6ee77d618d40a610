import { describe, expect, it } from "vitest";
import { defineWorkflow, hasSideEffects, WorkflowDefinitionError } from "./define.ts";
import { canonicalJson, hashDefinition, workflowVersionId } from "./hash.ts";
import { countWords, simulateChat } from "./sim-model.ts";
import { resolveTemplates, TemplateError } from "./templates.ts";

const context = {
  input: { ticket: "refund please", order: { id: 42, items: ["a", "b"] } },
  steps: { classify: { output: { label: "billing", score: 0.9 } }, echo: { output: "hello" } },
};

describe("templates", () => {
  it("yields the raw value for a whole-string template and text inside strings", () => {
    expect(resolveTemplates("{{steps.classify.output}}", context)).toEqual({ label: "billing", score: 0.9 });
    expect(resolveTemplates(" {{ input.order.id }} ", context)).toBe(42);
    expect(resolveTemplates("Ticket: {{input.ticket}} / {{steps.classify.output.label}}", context)).toBe(
      "Ticket: refund please / billing",
    );
    expect(resolveTemplates("order={{input.order}}", context)).toBe('order={"id":42,"items":["a","b"]}');
    expect(resolveTemplates("{{input.order.items[1]}}", context)).toBe("b");
  });

  it("walks nested objects and arrays without touching other values", () => {
    const value = { to: "{{input.ticket}}", list: ["{{steps.echo.output}}", 3, null, { deep: "{{input.order.id}}" }] };
    expect(resolveTemplates(value, context)).toEqual({ to: "refund please", list: ["hello", 3, null, { deep: 42 }] });
    expect(value.to).toBe("{{input.ticket}}");
  });

  it("gives undefined (empty in text) for a missing field, and an error for a step that has not run", () => {
    expect(resolveTemplates("{{input.nope.deeper}}", context)).toBeUndefined();
    expect(resolveTemplates("[{{input.nope}}]", context)).toBe("[]");
    expect(() => resolveTemplates("{{steps.later.output}}", context)).toThrow(TemplateError);
    expect(() => resolveTemplates("{{secrets.key}}", context)).toThrow(/start with input\. or steps\./);
  });
});

describe("defineWorkflow", () => {
  const steps = [
    { id: "a", type: "llm" as const, model: "echos/sim", prompt: "Hi {{input.name}}" },
    { id: "b", type: "tool" as const, tool: "send", args: { text: "{{steps.a.output}}" } },
  ];

  it("applies defaults and accepts a valid definition", () => {
    const wf = defineWorkflow({ name: "ok", steps: [...steps, { id: "c", type: "http", url: "https://x.test" }] });
    expect(wf.steps[2]).toMatchObject({ method: "GET" });
    expect(defineWorkflow(wf)).toEqual(wf);
  });

  it("reports forward references, duplicate ids, unknown roots and unknown fields", () => {
    const bad = {
      name: "bad",
      steps: [
        { id: "a", type: "llm", model: "echos/sim", prompt: "{{steps.b.output}} {{env.HOME}}" },
        { id: "a", type: "code", code: "return {{}}" },
        { id: "b", type: "llm", model: "echos/sim", prompt: "ok" },
      ],
    };
    const error = (() => {
      try {
        defineWorkflow(bad as never);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(WorkflowDefinitionError);
    expect(error?.message).toMatch(/step "b" does not run before "a"/);
    expect(error?.message).toMatch(/\{\{env\.HOME\}\}: templates start with input\. or steps\./);
    expect(error?.message).toMatch(/duplicate step id "a"/);
    const typo = { id: "b", type: "llm", model: "echos/sim", promt: "typo" };
    expect(() => defineWorkflow({ name: "typo", steps: [typo as never] })).toThrow(/Unrecognized key: "promt"/);
    expect(() => defineWorkflow({ name: "r", steps: [{ id: "input", type: "code", code: "1" }] })).toThrow(/reserved/);
  });

  it("knows which steps have side effects", () => {
    const wf = defineWorkflow({
      name: "fx",
      steps: [
        { id: "get", type: "http", url: "https://x.test" },
        { id: "post", type: "http", method: "POST", url: "https://x.test" },
        { id: "mail", type: "tool", tool: "send", sideEffects: true },
        { id: "read", type: "tool", tool: "read" },
      ],
    });
    expect(wf.steps.map(hasSideEffects)).toEqual([false, true, true, false]);
  });
});

describe("hash", () => {
  it("is the same whatever the key order, and changes with the content", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 3 } })).toBe(
      '{"a":{"c":3,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
    const one = defineWorkflow({ name: "h", steps: [{ id: "a", type: "llm", model: "echos/sim", prompt: "x" }] });
    const same = defineWorkflow({ steps: [{ prompt: "x", model: "echos/sim", type: "llm", id: "a" }], name: "h" });
    const other = defineWorkflow({ name: "h", steps: [{ id: "a", type: "llm", model: "echos/sim", prompt: "y" }] });
    expect(hashDefinition(one)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashDefinition(same)).toBe(hashDefinition(one));
    expect(hashDefinition(other)).not.toBe(hashDefinition(one));
    expect(workflowVersionId(one)).toBe(`h@${hashDefinition(one).slice(0, 12)}`);
  });
});

describe("echos/sim", () => {
  const base = { model: "echos/sim", system: "You are a triage bot.", prompt: "Classify: refund charged twice" };

  it("answers the same config with the same text, and a changed one with a different text", () => {
    const a = simulateChat({ ...base, temperature: 0.2 });
    expect(simulateChat({ ...base, temperature: 0.2 })).toEqual(a);
    expect(simulateChat({ ...base, temperature: 0.9 }).text).not.toBe(a.text);
    expect(simulateChat({ ...base, prompt: "Classify: password reset", temperature: 0.2 }).text).not.toBe(a.text);
    expect(a.text).toMatch(/classify|refund|charged/);
    expect(a).toMatchObject({ model: "echos/sim", inputTokens: 5 + 4, outputTokens: countWords(a.text) });
  });

  it("honours maxTokens", () => {
    const short = simulateChat({ ...base, temperature: 1.5, maxTokens: 5 });
    expect(short.outputTokens).toBe(5);
    expect(countWords(short.text)).toBe(5);
  });

  it("answers a classification with one of the categories it offers, by the words of the text", () => {
    const system = "Answer with one category: billing, shipping, bug, account or other.";
    const classify = (prompt: string, temperature = 0.2) =>
      simulateChat({ model: "echos/sim", system, prompt, temperature }).text;
    expect(classify("Ticket: I was charged twice, please refund one payment")).toBe("billing");
    expect(classify("Ticket: My parcel arrived broken")).toBe("shipping");
    expect(classify("Ticket: The invoices page crashes with an error")).toBe("bug");
    expect(classify("Ticket: I cannot log in, my password reset fails")).toBe("account");
    expect(classify("Ticket: Do you have a dark mode?")).toBe("other");
    expect(classify("Ticket: My parcel arrived broken", 1.2)).toMatch(/^shipping — the message mentions parcel/);
    const inPrompt = simulateChat({ model: "echos/sim", prompt: "Answer with one of: yes, no. Is the sky green?" });
    expect(["yes", "no"]).toContain(inPrompt.text);
  });

  it("writes a support reply: greeting, the issue by its words, a concrete next step, a sign-off", () => {
    const reply = simulateChat({
      model: "echos/sim",
      system: "You write short, warm support replies.",
      prompt: "Ada Lovelace wrote: My parcel for order A-1002 is stuck in transit",
      temperature: 0.7,
    }).text;
    expect(reply).toMatch(/^(Hi|Hello|Dear) Ada,\n\n/);
    expect(reply).toMatch(/parcel/);
    expect(reply).toContain("carrier for an update on order A-1002");
    expect(reply).toMatch(/\n\n(Best regards|Kind regards|Thanks again),\nThe support team$/);
    const fixed = simulateChat({
      model: "echos/sim",
      system: "You write short support replies.",
      prompt: "Apologise, offer a voucher for the broken parcel, and reply to: My parcel arrived broken",
    }).text;
    expect(fixed).toMatch(/I'm really sorry/);
    expect(fixed).toContain("offer you a voucher");
    const refund = simulateChat({
      model: "echos/sim",
      system: "You confirm refunds to customers in two friendly sentences.",
      prompt: "Tell Grace Hopper that 12.5 EUR was refunded for order A-1003 (damaged).",
    }).text;
    expect(refund).toMatch(/^(Hi|Hello|Dear) Grace,/);
    expect(refund).toContain("refunded 12.5 EUR for order A-1003");
  });

  it("summarises with the topic, the sources or topics it was given and a next step; unknown tasks stay generic", () => {
    const summary = simulateChat({
      model: "echos/sim",
      system: "Summarise for a busy product manager in three sentences.",
      prompt: 'Question: Does billing support SEPA?\n\nSources: [{"title":"Payments FAQ","score":0.8}]',
    }).text;
    expect(summary).toMatch(/^(In short|Summary|The gist): this is about billing, support and sepa\./);
    expect(summary).toContain('"Payments FAQ"');
    expect(summary).toMatch(/(Next step|Recommendation|No action)/);
    expect(simulateChat({ model: "echos/sim", prompt: "Pick a colour for the logo" }).text).toMatch(/"colour"/);
  });
});
