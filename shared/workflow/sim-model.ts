import { createHash } from "node:crypto";

/** The built-in deterministic model: offline, free, and its text changes visibly when the config does. */
export const SIM_MODEL = "echos/sim";

export interface ChatTurn {
  role: "user" | "assistant";
  content: string;
}

export interface ChatRequest {
  model: string;
  system?: string;
  /** Earlier turns of the conversation, sent before the prompt. */
  history?: readonly ChatTurn[];
  prompt: string;
  temperature?: number;
  maxTokens?: number;
}

export interface ChatResult {
  text: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
}

const OPENERS = [
  "Sure.",
  "Understood.",
  "Here is my answer.",
  "Looking at this,",
  "Based on what you sent,",
  "In short,",
];
const TOPICS = [
  (k: string) => `this is mainly about ${k}.`,
  (k: string) => `the key point is ${k}.`,
  (k: string) => `everything here turns on ${k}.`,
  (k: string) => `I would focus on ${k}.`,
];
const VERDICTS = [
  "It looks routine and can go to the normal queue.",
  "It deserves a quick follow-up today.",
  "This seems urgent and should be escalated.",
  "More detail is needed before acting.",
  "A short, friendly reply should resolve it.",
  "Nothing here looks risky.",
];
const EXTRAS = [
  "There may be a second angle worth checking.",
  "Another reading is possible, though less likely.",
  "The history behind it matters too.",
  "Keep the tone warm and direct.",
  "A concrete example would make this clearer.",
];
const CLOSERS = ["Let me know if you want more detail.", "That should cover it.", "I can draft the next step.", ""];
// Common words and instruction verbs: the echo should name the subject, not "classify" or "please".
const STOP = new Set(
  [
    "about above after again also because been before being could does doing from have here into just more most",
    "only other over please same should some such than that their them then there these they this those through",
    "under very were what when where which while will with would your classify summarise summarize answer write",
    "explain describe tell give make want need help like reply respond",
  ]
    .join(" ")
    .split(" "),
);

export const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** Up to three distinctive words of the prompt, echoed back so the answer visibly relates to it. */
function keywords(prompt: string): string {
  const words = [
    ...new Set(
      (prompt.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu) ?? []).filter((w) => w.length >= 4 && !STOP.has(w)),
    ),
  ].slice(0, 3);
  if (words.length === 0) return "your request";
  return words.length === 1 ? `"${words[0]}"` : `"${words.slice(0, -1).join('", "')}" and "${words.at(-1)}"`;
}

export function simulateChat(request: ChatRequest): ChatResult {
  const seed = createHash("sha256")
    .update(
      JSON.stringify([
        request.model,
        request.system ?? "",
        request.prompt,
        request.temperature ?? null,
        // Only when there is one: a request without history gets the answer it always got, so recordings replay alike.
        ...(request.history?.length ? [request.history] : []),
      ]),
    )
    .digest();
  const pick = <T>(list: readonly T[], byte: number): T => list[(seed[byte] ?? 0) % list.length]!;
  const opener = pick(OPENERS, 0);
  const topic = pick(TOPICS, 1)(keywords(request.prompt));
  const sentences = [
    `${opener} ${opener.endsWith(",") ? topic : topic[0]!.toUpperCase() + topic.slice(1)}`,
    pick(VERDICTS, 2),
  ];
  // Hotter settings ramble a little more, as real models do.
  const extras = Math.round((request.temperature ?? 0.7) * 1.5);
  for (let i = 0; i < extras; i++) sentences.push(pick(EXTRAS, 3 + i));
  sentences.push(pick(CLOSERS, 8));
  let words = sentences.join(" ").trim().split(/\s+/);
  if (request.maxTokens !== undefined) words = words.slice(0, request.maxTokens);
  return {
    text: words.join(" "),
    model: request.model,
    inputTokens: [request.system ?? "", ...(request.history ?? []).map((t) => t.content), request.prompt]
      .map(countWords)
      .reduce((a, b) => a + b, 0),
    outputTokens: words.length,
  };
}
