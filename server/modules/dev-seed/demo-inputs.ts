/**
 * What reached the demo team's agents over the last day. The order ids, names and messages are chosen so that the
 * same few realistic problems show up (see demo-workflows.ts); everything else succeeds.
 */

type Plan = "enterprise" | "pro" | "free";

export interface Ticket {
  customer?: string;
  email: string;
  plan: Plan;
  orderId: string;
  subject: string;
  text: string;
  channel: "email" | "web";
}

const ticket = (
  customer: string | undefined,
  plan: Plan,
  orderId: string,
  subject: string,
  text: string,
  channel: Ticket["channel"] = "email",
): Ticket => ({
  ...(customer ? { customer } : {}),
  email: `${(customer ?? "guest").split(" ")[0]!.toLowerCase()}@example.com`,
  plan,
  orderId,
  subject,
  text,
  channel,
});

export const TICKETS: Ticket[] = [
  ticket(
    "Ada Lovelace",
    "enterprise",
    "A-1001",
    "Charged twice",
    "I was charged twice for order A-1001, please refund one of the payments.",
  ),
  ticket(
    "Linus Torvalds",
    "pro",
    "A-1002",
    "Where is my parcel?",
    "It has been eight days and the tracking page still says in transit.",
  ),
  ticket(
    "Grace Hopper",
    "enterprise",
    "A-1003",
    "Invoice download broken",
    "The invoices page crashes when I open last month's invoice.",
    "web",
  ),
  ticket(
    "Alan Turing",
    "pro",
    "A-1004",
    "Wrong size",
    "I ordered the large desk mat but received a small one. Can I swap it?",
  ),
  ticket(
    "Margaret Hamilton",
    "enterprise",
    "A-1005",
    "Cancel order",
    "Please cancel order A-1005 before it ships, we ordered it by mistake.",
  ),
  ticket(
    "Katherine Johnson",
    "free",
    "A-1006",
    "Discount code",
    "My discount code WELCOME10 was not applied at checkout.",
    "web",
  ),
  ticket(
    undefined,
    "free",
    "A-1007",
    "Broken on arrival",
    "The lamp arrived broken, glass everywhere. I want a replacement asap.",
    "web",
  ),
  ticket(
    "Dennis Ritchie",
    "pro",
    "A-1999",
    "Delivery address",
    "Can you change the delivery address for order A-1999 to my office?",
  ),
  ticket(
    "Barbara Liskov",
    "enterprise",
    "A-1008",
    "Bulk pricing",
    "We want 40 more keyboards for the new office. Is there bulk pricing?",
  ),
  ticket(
    "Edsger Dijkstra",
    "free",
    "A-1009",
    "Late again",
    "My headset is late, the second time this month. I am getting angry.",
  ),
  ticket(
    "Frances Allen",
    "pro",
    "A-1010",
    "Invoice details",
    "Please add our VAT number DE123456789 to the monitor invoice.",
    "web",
  ),
  ticket(
    "Ken Thompson",
    "pro",
    "A-1011",
    "Return label",
    "I need a return label for the monitor arm, it does not fit my desk.",
  ),
  ticket(
    "Radia Perlman",
    "enterprise",
    "A-1012",
    "Missing item",
    "The USB-C cable on the packing slip was not in the parcel.",
  ),
  ticket(
    "John Backus",
    "free",
    "A-1013",
    "Password reset",
    "I never receive the password reset email for my account.",
    "web",
  ),
  ticket("Hedy Lamarr", "pro", "A-1014", "Gift wrapping", "Can I still add gift wrapping to the three mugs I ordered?"),
  ticket("Tim Berners-Lee", "enterprise", "A-10O3", "Refund status", "Any news on the refund for order A-10O3?"),
];

export interface ResearchQuestion {
  question: string;
  sources: string[];
  requestedBy: string;
}

export const QUESTIONS: ResearchQuestion[] = [
  {
    question: "How do customers describe onboarding problems?",
    sources: ["tickets", "calls"],
    requestedBy: "PM onboarding",
  },
  { question: "Which competitors offer usage-based pricing?", sources: ["web", "crm"], requestedBy: "Pricing" },
  { question: "What do enterprise customers ask for most in QBRs?", sources: ["calls", "crm"], requestedBy: "Sales" },
  { question: "Why did churn rise among free-plan users?", sources: ["analytics", "tickets"], requestedBy: "Growth" },
  {
    question: "What are the most common causes of failed payments?",
    sources: ["billing", "tickets"],
    requestedBy: "Billing",
  },
  { question: "Is there demand for a Linux desktop app?", sources: ["forum"], requestedBy: "PM desktop" },
  { question: "How long does it take to resolve shipping tickets?", sources: ["tickets"], requestedBy: "Support lead" },
  { question: "Which features do trial users try first?", sources: ["analytics"], requestedBy: "Growth" },
  { question: "What do users say about dark mode?", sources: ["forum", "tickets"], requestedBy: "Design" },
];

export interface RefundRequest {
  customer: string;
  plan: Plan;
  orderId: string;
  sku: string;
  quantity: number;
  reason: string;
}

export const REFUNDS: RefundRequest[] = [
  {
    customer: "Ada Lovelace",
    plan: "enterprise",
    orderId: "A-1001",
    sku: "KB-87",
    quantity: 1,
    reason: "duplicate charge",
  },
  {
    customer: "Alan Turing",
    plan: "pro",
    orderId: "A-1004",
    sku: "MAT-L",
    quantity: 1,
    reason: "wrong size delivered",
  },
  {
    customer: "Carol Shaw",
    plan: "pro",
    orderId: "M-5521",
    sku: "CBL-USB-C",
    quantity: 2,
    reason: "cables stopped working",
  },
  {
    customer: "Radia Perlman",
    plan: "enterprise",
    orderId: "A-1012",
    sku: "CBL-USB-C",
    quantity: 1,
    reason: "item missing",
  },
  { customer: "Ken Thompson", plan: "pro", orderId: "A-1011", sku: "ARM-2", quantity: 1, reason: "does not fit" },
  { customer: "Katherine Johnson", plan: "free", orderId: "A-1006", sku: "LMP-1", quantity: 1, reason: "flickers" },
  {
    customer: "Sophie Wilson",
    plan: "enterprise",
    orderId: "M-5530",
    sku: "HUB-7",
    quantity: 1,
    reason: "arrived damaged",
  },
  {
    customer: "Hedy Lamarr",
    plan: "pro",
    orderId: "A-1014",
    sku: "MUG-E",
    quantity: 1,
    reason: "ordered one too many",
  },
  {
    customer: "Barbara Liskov",
    plan: "enterprise",
    orderId: "A-1008",
    sku: "KB-87",
    quantity: 2,
    reason: "two keys broken",
  },
  { customer: "Frances Allen", plan: "pro", orderId: "A-1010", sku: "MON-27", quantity: 1, reason: "changed my mind" },
];

export interface Chat {
  id: string;
  customerId: string;
  plan: Plan;
  /** The customer's messages, one per run. */
  messages: string[];
}

export const CHATS: Chat[] = [
  {
    id: "chat-ada-billing",
    customerId: "cus-ada",
    plan: "enterprise",
    messages: [
      "Hi, our invoice for March shows two charges for the same seats.",
      "Yes, invoice INV-2291. The second charge is from March 3rd.",
      "Can the refund go back to the company card instead of credit?",
      "Great, thanks. Please send the corrected invoice to finance@example.com.",
    ],
  },
  {
    id: "chat-linus-parcel",
    customerId: "cus-linus",
    plan: "pro",
    messages: [
      "My parcel has been in transit for eight days now.",
      "The order is A-1002. Tracking has not changed since Monday.",
      "This is taking too long, can I talk to a human please?",
    ],
  },
  {
    id: "chat-grace-login",
    customerId: "cus-grace",
    plan: "free",
    messages: ["I cannot sign in since I changed my email address.", "Found it in the spam folder, it works now!"],
  },
  {
    id: "chat-margaret-sso",
    customerId: "cus-margaret",
    plan: "enterprise",
    messages: [
      "We want to set up single sign-on with Okta for our team.",
      "Where do I find the SAML metadata URL?",
      "Okta says the audience URI does not match.",
      "That fixed it. Can we enforce SSO for everyone now?",
      "Perfect, and will existing sessions be signed out?",
    ],
  },
  {
    id: "chat-alan-payment",
    customerId: "cus-alan",
    plan: "pro",
    messages: [
      "My card keeps getting declined when I upgrade.",
      "It is a Visa, and it works everywhere else.",
      "Here it is: 4111 1111 1111 1111, expiry 08/27.",
    ],
  },
];
