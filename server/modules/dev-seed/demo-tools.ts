import { createHash } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { ToolContext, Tools } from "@shared/workflow/types.ts";

/**
 * The in-memory "backends" behind the demo agents' tools: a shop, a CRM, a document index, a payment provider and
 * a mailer. Each answers after a latency of its own (the same for the same arguments), so waterfalls look real,
 * and fails the way such systems do, so the failed demo runs have real causes.
 */

interface OrderLine {
  sku: string;
  name: string;
  /** In `priceUnit`: the marketplace partner reports cents, the shop euros. */
  price: number;
  priceUnit: "EUR" | "cents";
  quantity: number;
}

interface Order {
  channel: "shop" | "marketplace";
  status: "delivered" | "in transit" | "processing";
  daysSinceShipped: number;
  currency: "EUR";
  total: number;
  lines: OrderLine[];
}

const line = (sku: string, name: string, price: number, quantity = 1): OrderLine => ({
  sku,
  name,
  price,
  priceUnit: "EUR",
  quantity,
});
const order = (status: Order["status"], daysSinceShipped: number, lines: OrderLine[]): Order => ({
  channel: lines.some((l) => l.priceUnit === "cents") ? "marketplace" : "shop",
  status,
  daysSinceShipped,
  currency: "EUR",
  total: lines.reduce((sum, l) => sum + (l.priceUnit === "cents" ? l.price / 100 : l.price) * l.quantity, 0),
  lines,
});
const marketplaceLine = (sku: string, name: string, cents: number, quantity = 1): OrderLine => ({
  ...line(sku, name, cents, quantity),
  priceUnit: "cents",
});

const ORDERS: Record<string, Order> = {
  "A-1001": order("delivered", 4, [line("KB-87", "Mechanical keyboard", 129)]),
  "A-1002": order("in transit", 8, [line("MS-2", "Wireless mouse", 49.5), line("PAD-S", "Mouse pad", 5)]),
  "A-1003": order("delivered", 12, [line("LIC-Y", "Invoicing add-on, yearly", 18)]),
  "A-1004": order("delivered", 2, [line("MAT-L", "Desk mat, large", 34)]),
  "A-1005": order("processing", 0, [line("CHR-E", "Ergonomic chair", 489)]),
  "A-1006": order("delivered", 6, [line("LMP-1", "Desk lamp", 59)]),
  "A-1007": order("delivered", 1, [line("LMP-G", "Glass pendant lamp", 119)]),
  "A-1008": order("delivered", 30, [line("KB-87", "Mechanical keyboard", 129, 10)]),
  "A-1009": order("in transit", 9, [line("HDS-3", "Headset", 89)]),
  "A-1010": order("delivered", 45, [line("MON-27", "27-inch monitor", 329)]),
  "A-1011": order("delivered", 3, [line("ARM-2", "Monitor arm", 79)]),
  "A-1012": order("delivered", 2, [line("DCK-4", "Docking station", 189), line("CBL-USB-C", "USB-C cable (2 m)", 15)]),
  "A-1013": order("delivered", 20, [line("CAM-HD", "HD webcam", 69)]),
  "A-1014": order("processing", 0, [line("MUG-E", "Echos mug", 14, 3)]),
  "M-5521": order("delivered", 9, [marketplaceLine("CBL-USB-C", "USB-C cable (2 m)", 1499, 2)]),
  "M-5530": order("delivered", 5, [marketplaceLine("HUB-7", "7-port USB hub", 4999)]),
};

const CUSTOMERS: Record<string, { name: string; plan: string; since: string; openTickets: number }> = {
  "cus-ada": { name: "Ada Lovelace", plan: "enterprise", since: "2021-03-02", openTickets: 1 },
  "cus-linus": { name: "Linus Torvalds", plan: "pro", since: "2022-08-19", openTickets: 2 },
  "cus-grace": { name: "Grace Hopper", plan: "free", since: "2025-01-11", openTickets: 0 },
  "cus-margaret": { name: "Margaret Hamilton", plan: "enterprise", since: "2020-11-30", openTickets: 0 },
  "cus-alan": { name: "Alan Turing", plan: "pro", since: "2023-06-07", openTickets: 1 },
};

interface Doc {
  title: string;
  source: string;
  about: string[];
}

const DOCS: Doc[] = [
  { title: "Onboarding friction — ticket review", source: "tickets", about: ["onboarding", "problems", "customers"] },
  { title: "Call notes: setup calls with new teams", source: "calls", about: ["onboarding", "setup", "describe"] },
  { title: "QBR notes, enterprise accounts", source: "calls", about: ["enterprise", "customers", "qbrs", "ask"] },
  { title: "CRM: feature requests by segment", source: "crm", about: ["enterprise", "feature", "requests", "most"] },
  { title: "Free-plan churn dashboard, Q3", source: "analytics", about: ["churn", "free-plan", "users", "rise"] },
  { title: "Cancellation survey answers", source: "tickets", about: ["churn", "cancellation", "free-plan"] },
  { title: "Failed payments by decline code", source: "billing", about: ["failed", "payments", "causes", "decline"] },
  { title: "Billing tickets, last 90 days", source: "tickets", about: ["payments", "billing", "failed", "common"] },
  { title: "Shipping ticket resolution times", source: "tickets", about: ["shipping", "tickets", "resolve", "long"] },
  { title: "Trial funnel: first actions", source: "analytics", about: ["trial", "users", "features", "first"] },
  { title: "Forum: dark mode feedback thread", source: "forum", about: ["dark", "mode", "users", "say"] },
  { title: "Dark mode bug reports", source: "tickets", about: ["dark", "mode", "contrast"] },
  { title: "Forum: mobile app sync issues", source: "forum", about: ["mobile", "sync", "offline"] },
];

/** A stable number in [0, 1) for a string: the same arguments get the same latency. */
function unit(key: string): number {
  return createHash("sha256").update(key).digest().readUInt32BE(0) / 2 ** 32;
}

/** Waits like a remote call would: between `min` and `max` ms, stopped early when the step is aborted. */
const remoteCall = (key: string, min: number, max: number, signal: AbortSignal) =>
  delay(Math.round(min + unit(key) * (max - min)), undefined, { signal });

function findOrder(orderId: string): Order {
  const found = Object.hasOwn(ORDERS, orderId) ? ORDERS[orderId] : undefined;
  if (!found) throw new Error(`Order ${orderId} not found`);
  return found;
}

async function lookupOrder({ orderId }: { orderId: string }, { signal }: ToolContext) {
  await remoteCall(orderId, 40, 180, signal);
  const { status, daysSinceShipped, total, lines } = findOrder(orderId);
  return { orderId, status, daysSinceShipped, total, items: lines.reduce((n, l) => n + l.quantity, 0) };
}

async function getOrder({ orderId }: { orderId: string }, { signal }: ToolContext) {
  await remoteCall(`full ${orderId}`, 60, 220, signal);
  return { id: orderId, ...findOrder(orderId) };
}

/** The payment provider refuses a refund larger than what was paid. */
async function issueRefund(
  { orderId, amount, currency }: { orderId: string; amount: number; currency: string },
  { signal }: ToolContext,
) {
  await remoteCall(`refund ${orderId}`, 150, 400, signal);
  const { total } = findOrder(orderId);
  if (amount > total)
    throw new Error(
      `Refund of ${amount.toFixed(2)} ${currency} exceeds the order total of ${total.toFixed(2)} ${currency}`,
    );
  return { refundId: `re_${orderId.replace("-", "").toLowerCase()}${Math.round(amount * 100)}`, amount, currency };
}

async function sendEmail({ to, subject }: { to: string; subject: string }, { signal }: ToolContext) {
  await remoteCall(`mail ${to}`, 80, 200, signal);
  return { queued: true, to, subject };
}

async function getCustomer({ customerId }: { customerId: string }, { signal }: ToolContext) {
  await remoteCall(customerId, 30, 120, signal);
  const customer = Object.hasOwn(CUSTOMERS, customerId) ? CUSTOMERS[customerId] : undefined;
  if (!customer) throw new Error(`Customer ${customerId} not found`);
  return { id: customerId, ...customer };
}

/** The public web is crawled live and is slow: a search that includes it outlasts its step's timeout. */
async function searchDocs({ query, sources }: { query: string; sources: string[] }, { signal }: ToolContext) {
  await remoteCall(query, 200, 500, signal);
  if (sources.includes("web")) await delay(60_000, undefined, { signal });
  const words = new Set(query.toLowerCase().match(/[\w-]+/g) ?? []);
  return DOCS.filter((d) => sources.includes(d.source)).map((d) => ({
    title: d.title,
    source: d.source,
    score: Math.round((d.about.filter((w) => words.has(w)).length / d.about.length) * 100) / 100,
  }));
}

export const demoTools: Tools = {
  lookupOrder,
  getOrder,
  issueRefund,
  sendEmail,
  getCustomer,
  searchDocs,
};
