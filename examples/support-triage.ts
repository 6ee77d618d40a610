// A small support-triage agent recorded by Echos.
//
//   ECHOS_API_KEY=echos_i_… ECHOS_API_URL=http://localhost:5000 npm run example:triage
//
// It classifies each ticket with the built-in deterministic model (echos/sim, no provider key needed), looks
// the customer's order up with a tool, scores urgency in a code step, drafts a reply and "sends" it. Open the
// Runs page while it runs: every step appears as it starts and ends.
import { EchosRuntime, defineWorkflow } from "../sdk/workflow.ts";

const ORDERS: Record<string, { status: string; total: number }> = {
  "A-1001": { status: "delivered", total: 129.0 },
  "A-1002": { status: "in transit", total: 54.5 },
  "A-1003": { status: "refunded", total: 18.0 },
};

const triage = defineWorkflow({
  name: "support-triage",
  description: "Classify a ticket, look up the order, score urgency, draft and send a reply.",
  steps: [
    {
      id: "classify",
      type: "llm",
      model: "echos/sim",
      system: "You are a support triage assistant. Answer with one category: billing, shipping, bug or other.",
      prompt: "Ticket from {{input.customer}}: {{input.text}}",
      temperature: 0.2,
    },
    { id: "order", type: "tool", tool: "lookupOrder", args: { orderId: "{{input.orderId}}" } },
    {
      id: "urgency",
      type: "code",
      code: "const text = String(input.input.text).toLowerCase(); return { urgent: /refund|broken|charged twice|angry/.test(text), orderStatus: input.steps.order.output.status };",
    },
    {
      id: "draft",
      type: "llm",
      model: "echos/sim",
      system: "You write short, kind support replies.",
      prompt:
        "Category: {{steps.classify.output}}. Order: {{steps.order.output.status}}. Urgent: {{steps.urgency.output.urgent}}. Reply to: {{input.text}}",
      temperature: 0.7,
    },
    {
      id: "send",
      type: "tool",
      tool: "sendEmail",
      args: { to: "{{input.email}}", text: "{{steps.draft.output}}" },
      sideEffects: true,
    },
  ],
  output: "{{steps.draft.output}}",
});

const runtime = new EchosRuntime({
  tools: {
    lookupOrder: ({ orderId }: { orderId: string }) => ORDERS[orderId] ?? { status: "unknown", total: 0 },
    sendEmail: ({ to }: { to: string }) => ({ sent: true, to }),
  },
});

const tickets = [
  {
    customer: "Ada",
    email: "ada@example.com",
    orderId: "A-1001",
    text: "I was charged twice for my order, please refund one.",
  },
  { customer: "Linus", email: "linus@example.com", orderId: "A-1002", text: "Where is my parcel? It has been a week." },
  {
    customer: "Grace",
    email: "grace@example.com",
    orderId: "A-1003",
    text: "The app crashes when I open my invoices.",
  },
];

for (const ticket of tickets) {
  const result = await runtime.run(triage, ticket, { tags: ["example"], conversationId: `ticket-${ticket.orderId}` });
  console.log(`${ticket.customer}: ${result.status} — ${String(result.output).slice(0, 80)}`);
}
await runtime.client.shutdown();
const stats = runtime.client.stats();
console.log(`Sent ${stats.sent} items to ${runtime.client.apiUrl} (${stats.failed} failed, ${stats.dropped} dropped).`);
