import type { ChatRequest } from "./sim-model.ts";

// Common words and instruction verbs: the echo should name the subject, not "classify" or "please".
const STOP = new Set(
  [
    "about above after again also because been before being could does doing from have here into just more most",
    "only other over please same should some such than that their them then there these they this those through",
    "under very were what when where which while will with would your classify summarise summarize answer write",
    "explain describe tell give make want need help like reply respond apologise apologize offer wrote ticket",
    "customer category priority order question sources inbox talk",
  ]
    .join(" ")
    .split(" "),
);

/** Up to `max` distinctive words of a text (no ids or numbers), in the order they first appear. */
export function keywordsOf(text: string, max = 3): string[] {
  return [
    ...new Set(
      (text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu) ?? []).filter(
        (w) => w.length >= 4 && !STOP.has(w) && !/\d/.test(w),
      ),
    ),
  ].slice(0, max);
}

/** Words as a reader would list them: `a`, `a and b`, `a, b and c`. */
export const listOf = (words: readonly string[]) =>
  words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;

/** Choices seeded by the request (each call takes the next byte), and how much a hotter setting adds. */
export interface Writer {
  pick<T>(list: readonly T[]): T;
  extras: number;
}

/** Words that point to a category of the ones agents usually offer. */
const CATEGORY_HINTS: Record<string, readonly string[]> = {
  billing: [
    "charge",
    "charged",
    "invoice",
    "payment",
    "paid",
    "price",
    "pricing",
    "discount",
    "bill",
    "card",
    "refund",
  ],
  shipping: [
    "parcel",
    "package",
    "deliver",
    "shipped",
    "shipping",
    "tracking",
    "transit",
    "arrived",
    "courier",
    "late",
  ],
  bug: ["crash", "broken", "error", "bug", "fails", "failing", "freezes"],
  account: ["login", "log in", "password", "account", "seat", "sign", "access", "locked"],
  refund: ["refund", "money back", "return"],
};

const wordStarts = (text: string, hint: string) =>
  (text.match(new RegExp(`\\b${hint.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "giu")) ?? []).length;

/** "Answer with one category: billing, shipping or other" (in the system or the prompt): one of those, by the text. */
export function classifyAnswer(request: ChatRequest, w: Writer): string | null {
  const offered = `${request.system ?? ""}\n${request.prompt}`.match(
    /\b(?:one|a single)\s+(?:category|label|class|word|of)\b[^:\n]*:\s*([^\n.]+)/i,
  );
  const categories = (offered?.[1] ?? "")
    .split(/,|\bor\b|\//)
    .map((c) => c.trim().toLowerCase())
    .filter((c) => /^[\p{L}\p{N} _-]{1,30}$/u.test(c));
  if (categories.length < 2) return null;
  const text = request.prompt.toLowerCase();
  const scored = categories.map((category) => {
    const hints = [category, ...(CATEGORY_HINTS[category] ?? [])];
    const found = hints.filter((h) => wordStarts(text, h) > 0);
    return { category, found, score: found.reduce((sum, h) => sum + wordStarts(text, h), 0) };
  });
  const best = scored.reduce((a, b) => (b.score > a.score ? b : a));
  const answer = best.score > 0 ? best : (scored.find((s) => s.category === "other") ?? w.pick(scored.filter(Boolean)));
  // A hot setting explains itself, as chatty models do; a cool one gives the bare label.
  if (w.extras < 2) return answer.category;
  const because = answer.found.length > 0 ? answer.found : keywordsOf(request.prompt, 2);
  return because.length > 0
    ? `${answer.category} — the message mentions ${listOf(because)}.`
    : `${answer.category} — nothing points elsewhere.`;
}

const CUSTOMER_TEXT = /(?:\bwrote|\breply to|\brespond to|\bticket|\bmessage)\s*:\s*/gi;

/** The customer's own words in a prompt (after "… wrote:", "Reply to:"), and the instructions around them. */
function splitPrompt(prompt: string): { customer: string; instructions: string } {
  let at = -1;
  let end = 0;
  for (const m of prompt.matchAll(CUSTOMER_TEXT)) {
    at = m.index;
    end = m.index + m[0].length;
  }
  return at < 0
    ? { customer: prompt, instructions: "" }
    : { customer: prompt.slice(end), instructions: prompt.slice(0, at) };
}

const NAME = String.raw`(\p{Lu}[\p{L}'-]+)`;
function firstName(request: ChatRequest): string | null {
  for (const [text, pattern] of [
    [request.system ?? "", new RegExp(String.raw`talking to ${NAME}`, "u")],
    [request.prompt, new RegExp(String.raw`(?:^|\n)${NAME}(?: \p{Lu}[\p{L}'-]+)* wrote:`, "u")],
    [request.prompt, new RegExp(String.raw`\bTell ${NAME}`, "u")],
    [request.prompt, new RegExp(String.raw`Ticket from ${NAME}`, "u")],
  ] as const) {
    const found = text.match(pattern)?.[1];
    if (found) return found;
  }
  return null;
}

const ACKNOWLEDGE = [
  (k: string) => `Thank you for reaching out about ${k}.`,
  (k: string) => `Thanks for letting us know about ${k}.`,
  (k: string) => `I understand this is about ${k}, and I'm on it.`,
];
const SUPPORT_EXTRAS = [
  "If anything else comes up, just reply to this message.",
  "I've added a note to your account so nobody asks you to repeat this.",
  "Thanks for your patience while we sort this out.",
];

function nextStep(customer: string, prompt: string, order: string | undefined): string {
  const on = order ? ` on order ${order}` : "";
  const text = customer.toLowerCase();
  if (/\b(human|person|agent|someone)\b/.test(text))
    return "I'm handing this over to a colleague now; they will reply here within the hour.";
  if (/charged|refund|invoice|payment|charge|bill/.test(text))
    return `I've asked our billing team to check the payments${on}; you will hear back within one business day.`;
  if (/parcel|package|deliver|tracking|transit|shipp|arriv/.test(text))
    return `I've asked the carrier for an update${on} and will write back within 24 hours with a delivery date.`;
  if (/crash|broken|error|bug|fails/.test(text))
    return "I've passed the details to our engineers and will update you as soon as there is a fix.";
  if (/password|login|log in|account|seat|sign in/.test(text))
    return "I've sent a reset link to the e-mail address on your account; it is valid for the next hour.";
  if (/wrong size|swap|exchange|return/.test(text))
    return `I've set up a free exchange${on}; a return label is on its way to your inbox.`;
  return /\?/.test(prompt)
    ? "I'll find out and get back to you within one business day."
    : "I'll look into this and get back to you within one business day.";
}

/** A support reply: greeting, the issue acknowledged by its words, a concrete next step, a sign-off. */
export function supportReply(request: ChatRequest, w: Writer): string | null {
  const system = (request.system ?? "").toLowerCase();
  if (/summar|digest/.test(system)) return null;
  const isSupport =
    /support|customer|refund/.test(system) || /\b(?:reply|respond) to\b|\bwrote:|\btell \p{Lu}/iu.test(request.prompt);
  if (!isSupport) return null;
  const chatting = (request.history?.length ?? 0) > 0;
  const { customer, instructions } = splitPrompt(request.prompt);
  const name = firstName(request);
  const order = request.prompt.match(/\b[A-Z]{1,3}-\d{3,}\b/)?.[0];
  const sentences: string[] = [];

  const refunded = request.prompt.match(/(\d+(?:\.\d+)?)\s*([A-Z]{3}) was refunded/);
  if (refunded) {
    sentences.push(
      `Good news: we've refunded ${refunded[1]} ${refunded[2]}${order ? ` for order ${order}` : ""}; it should reach your account within 5–7 business days.`,
    );
    const reason = request.prompt.match(/\(([^)]{2,60})\)\.?\s*$/)?.[1];
    if (reason) sentences.push(`Sorry again about the ${reason} item.`);
  } else {
    const words = keywordsOf(customer);
    const topic = listOf(words.length > 0 ? words : keywordsOf(request.prompt)) || "your request";
    sentences.push(
      /apologi[sz]e|sorry/i.test(instructions)
        ? `I'm really sorry about the trouble with ${topic}.`
        : w.pick(ACKNOWLEDGE)(topic),
    );
    const offer = instructions.match(
      /\boffer\s+(?:them\s+|the customer\s+)?((?:an?|the)\s+)?([\p{L}\p{N} %€$-]{2,40}?)(?=\s+(?:for|and|to)\b|[,.;\n]|$)/iu,
    );
    if (offer) sentences.push(`To make up for it, I'd like to offer you ${offer[1] ?? "a "}${offer[2]!.trim()}.`);
    sentences.push(nextStep(customer, request.prompt, order));
  }
  const start = w.pick([0, 1, 2]);
  for (let i = 0; i < Math.min(w.extras, SUPPORT_EXTRAS.length); i++)
    sentences.push(SUPPORT_EXTRAS[(start + i) % SUPPORT_EXTRAS.length]!);

  const body = sentences.join(" ");
  if (chatting)
    return `${body} ${w.pick(["Is there anything else I can help with?", "Anything else I can do for you?"])}`;
  const greeting = name ? `${w.pick(["Hi", "Hello", "Dear"])} ${name},` : w.pick(["Hi there,", "Hello,"]);
  const agent = request.system?.match(/\bYou are (\p{Lu}\p{L}+)/u)?.[1] ?? "The support team";
  return `${greeting}\n\n${body}\n\n${w.pick(["Best regards", "Kind regards", "Thanks again"])},\n${agent}`;
}

const SUMMARY_LEADS = ["In short", "Summary", "The gist"];
const SUMMARY_POINTS = [
  "Most of it is routine; one item needs a decision.",
  "The main thread is consistent and nothing looks blocked.",
  "Two points stand out and are worth a closer look.",
];
const SUMMARY_NEXT = [
  "Next step: confirm the details with the owner and close it out.",
  "Recommendation: act on the first point this week.",
  "No action is needed beyond keeping an eye on it.",
];

/** A summary or digest: what it is about, the main points (sources or topics it was given), what to do next. */
export function summaryAnswer(request: ChatRequest, w: Writer): string | null {
  if (!/summar|digest|tl;dr/i.test(`${request.system ?? ""}\n${request.prompt}`)) return null;
  const prose = request.prompt.replace(/[[{][\s\S]*$/, "");
  const words = keywordsOf(prose.trim() ? prose : request.prompt);
  const sentences = [`${w.pick(SUMMARY_LEADS)}: this is about ${listOf(words) || "the material you sent"}.`];
  const titles = [...request.prompt.matchAll(/"title"\s*:\s*"([^"]{1,80})"/g)].map((m) => m[1]!).slice(0, 2);
  const topics = [...request.prompt.matchAll(/"([\p{L} _-]{2,30})"\s*:\s*\[/gu)].map((m) => m[1]!);
  if (titles.length > 0) sentences.push(`The strongest sources are ${listOf(titles.map((t) => `"${t}"`))}.`);
  else if (topics.length > 0)
    sentences.push(`${topics.length === 1 ? "One topic" : `${topics.length} topics`}: ${listOf(topics)}.`);
  else sentences.push(w.pick(SUMMARY_POINTS));
  if (w.extras > 1) sentences.push(w.pick(SUMMARY_POINTS));
  sentences.push(w.pick(SUMMARY_NEXT));
  return sentences.join(" ");
}
