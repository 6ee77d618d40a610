import { defineWorkflow } from "@shared/workflow/define.ts";
import { SIM_MODEL } from "@shared/workflow/sim-model.ts";

/**
 * The demo team's agents. Each has a weak spot the sample inputs hit, so every workflow has a failed run worth
 * opening: an order id with a typo, a web form without a name, a crawler slower than its timeout, a question with
 * no good sources, marketplace prices in cents, a customer pasting a card number.
 */

export const supportTriage = defineWorkflow({
  name: "support-triage",
  description: "Classify an incoming ticket, look up the order, set a priority, draft and send a reply.",
  steps: [
    {
      id: "classify",
      type: "llm",
      model: SIM_MODEL,
      system: "You are a support triage assistant. Answer with one category: billing, shipping, bug, account or other.",
      prompt: "Ticket from {{input.customer}} ({{input.plan}} plan): {{input.subject}} — {{input.text}}",
      temperature: 0.2,
      latencyMs: 260,
    },
    { id: "order", type: "tool", tool: "lookupOrder", args: { orderId: "{{input.orderId}}" } },
    {
      id: "priority",
      type: "code",
      code: [
        "const text = input.input.text.toLowerCase();",
        "const urgent = /refund|charged twice|broken|cancel|angry|asap/.test(text);",
        'const late = input.order.status === "in transit" && input.order.daysSinceShipped > 5;',
        'const priority = urgent || late ? "high" : input.input.plan === "enterprise" ? "normal" : "low";',
        "return { priority, late };",
      ].join("\n"),
    },
    {
      id: "draft",
      type: "llm",
      model: SIM_MODEL,
      system: "You write short, warm support replies. Never promise a refund before it is approved.",
      prompt: [
        "Category: {{steps.classify.output}}",
        "Order {{input.orderId}}: {{steps.order.output.status}}, {{steps.order.output.items}} item(s), €{{steps.order.output.total}}",
        "Priority: {{steps.priority.output.priority}}",
        "",
        "{{input.customer}} wrote: {{input.text}}",
      ].join("\n"),
      temperature: 0.7,
      latencyMs: 540,
    },
    {
      id: "format",
      type: "code",
      code: [
        "// The draft greets and signs; the e-mail gets the team's name under it.",
        'return { subject: "Re: " + input.input.subject, body: input.draft.replace(/The support team$/, "The Acme support team") };',
      ].join("\n"),
    },
    {
      id: "send",
      type: "tool",
      tool: "sendEmail",
      args: { to: "{{input.email}}", subject: "{{steps.format.output.subject}}", body: "{{steps.format.output.body}}" },
      sideEffects: true,
    },
  ],
  output: { priority: "{{steps.priority.output.priority}}", reply: "{{steps.format.output.body}}" },
});

export const researchDigest = defineWorkflow({
  name: "research-digest",
  description: "Answer a product question from internal sources: plan, search, rank, summarise.",
  steps: [
    {
      id: "plan",
      type: "llm",
      model: SIM_MODEL,
      system: "You are a research assistant for a product team. Break the question into search queries.",
      prompt: "Question: {{input.question}}",
      temperature: 0.4,
      latencyMs: 320,
    },
    {
      id: "search",
      type: "tool",
      tool: "searchDocs",
      args: { query: "{{input.question}}", sources: "{{input.sources}}" },
      timeoutMs: 1500,
    },
    {
      id: "rank",
      type: "code",
      code: [
        "const hits = input.search.filter((d) => d.score >= 0.5).sort((a, b) => b.score - a.score).slice(0, 3);",
        'if (hits.length === 0) throw new Error("No source scored 0.5 or more for: " + input.input.question);',
        "return hits;",
      ].join("\n"),
    },
    {
      id: "summarise",
      type: "llm",
      model: SIM_MODEL,
      system: "Summarise for a busy product manager in three sentences. Cite sources by title.",
      prompt: "Question: {{input.question}}\n\nSources: {{steps.rank.output}}",
      temperature: 0.3,
      maxTokens: 80,
      latencyMs: 680,
    },
  ],
  output: { summary: "{{steps.summarise.output}}", sources: "{{steps.rank.output}}" },
});

export const refundAgent = defineWorkflow({
  name: "refund-agent",
  description: "Check a refund request against the policy, compute the amount, refund it and tell the customer.",
  steps: [
    { id: "order", type: "tool", tool: "getOrder", args: { orderId: "{{input.orderId}}" } },
    {
      id: "policy",
      type: "llm",
      model: SIM_MODEL,
      system: "You check refund requests against Acme's policy: within 30 days of delivery, damaged items always.",
      prompt:
        "Order {{input.orderId}}, shipped {{steps.order.output.daysSinceShipped}} days ago. Reason: {{input.reason}}. Refund {{input.quantity}} × {{input.sku}}?",
      temperature: 0,
      latencyMs: 380,
    },
    {
      id: "amount",
      type: "code",
      code: [
        "const line = input.order.lines.find((l) => l.sku === input.input.sku);",
        'if (!line) throw new Error("Order " + input.order.id + " has no line " + input.input.sku);',
        "return { amount: Math.round(line.price * input.input.quantity * 100) / 100, currency: input.order.currency };",
      ].join("\n"),
    },
    {
      id: "refund",
      type: "tool",
      tool: "issueRefund",
      args: {
        orderId: "{{input.orderId}}",
        amount: "{{steps.amount.output.amount}}",
        currency: "{{steps.amount.output.currency}}",
      },
      sideEffects: true,
    },
    {
      id: "confirm",
      type: "llm",
      model: SIM_MODEL,
      system: "You confirm refunds to customers in two friendly sentences.",
      prompt:
        "Tell {{input.customer}} that {{steps.refund.output.amount}} {{steps.refund.output.currency}} was refunded for order {{input.orderId}} ({{input.reason}}).",
      temperature: 0.5,
      latencyMs: 420,
    },
  ],
  output: { refundId: "{{steps.refund.output.refundId}}", message: "{{steps.confirm.output}}" },
});

export const supportChat = defineWorkflow({
  name: "support-chat",
  description: "One turn of the website chat: screen the message, load the customer, answer with the whole chat.",
  steps: [
    {
      id: "screen",
      type: "code",
      code: [
        "const message = input.input.message;",
        "if (/\\b(?:\\d[ -]?){13,16}\\b/.test(message))",
        '  throw new Error("Message holds what looks like a card number; not sent to the model");',
        "return { wantsHuman: /\\b(human|person|agent|someone)\\b/i.test(message) };",
      ].join("\n"),
    },
    { id: "customer", type: "tool", tool: "getCustomer", args: { customerId: "{{input.customerId}}" } },
    {
      id: "reply",
      type: "llm",
      model: SIM_MODEL,
      system:
        "You are Echo, Acme's support assistant, talking to {{steps.customer.output.name}} ({{steps.customer.output.plan}} plan). Be concise and friendly; offer a human colleague when asked.",
      history: "{{input.history}}",
      prompt: "{{input.message}}",
      temperature: 0.6,
      latencyMs: 460,
    },
  ],
  output: { reply: "{{steps.reply.output}}", handoff: "{{steps.screen.output.wantsHuman}}" },
});

export const DEMO_WORKFLOWS = [supportTriage, researchDigest, refundAgent, supportChat];
