import { createHash } from "node:crypto";
import { classifyAnswer, keywordsOf, listOf, supportReply, summaryAnswer, type Writer } from "./sim-tasks.ts";

/**
 * The built-in deterministic model: offline and free. It answers like a plausible assistant for the tasks agents
 * give it most (classify into offered categories, reply to a customer, summarise), a generic answer otherwise;
 * the same request always gets the same text, a changed one (prompt, system, model, temperature) a visibly
 * different one, and distinctive words of the prompt come back in the answer.
 */
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
export const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** Distinctive words of the prompt, quoted, echoed back so the answer visibly relates to it. */
function quotedKeywords(prompt: string): string {
  const words = keywordsOf(prompt);
  if (words.length === 0) return "your request";
  return listOf(words.map((w) => `"${w}"`));
}

function genericAnswer(request: ChatRequest, w: Writer): string {
  const opener = w.pick(OPENERS);
  const topic = w.pick(TOPICS)(quotedKeywords(request.prompt));
  const sentences = [`${opener} ${opener.endsWith(",") ? topic : topic[0]!.toUpperCase() + topic.slice(1)}`];
  sentences.push(w.pick(VERDICTS));
  for (let i = 0; i < w.extras; i++) sentences.push(w.pick(EXTRAS));
  sentences.push(w.pick(CLOSERS));
  return sentences.join(" ");
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
  let next = 0;
  const writer: Writer = {
    pick: <T>(list: readonly T[]): T => list[(seed[next++ % seed.length] ?? 0) % list.length]!,
    // Hotter settings ramble a little more, as real models do.
    extras: Math.round((request.temperature ?? 0.7) * 1.5),
  };
  const full =
    classifyAnswer(request, writer) ??
    supportReply(request, writer) ??
    summaryAnswer(request, writer) ??
    genericAnswer(request, writer);
  // A token limit cuts a real model short mid-sentence: here by words, keeping the line breaks between them.
  const tokens = full.trim().match(/\S+\s*/g) ?? [];
  const text = (request.maxTokens === undefined ? tokens : tokens.slice(0, request.maxTokens)).join("").trimEnd();
  return {
    text,
    model: request.model,
    inputTokens: [request.system ?? "", ...(request.history ?? []).map((t) => t.content), request.prompt]
      .map(countWords)
      .reduce((a, b) => a + b, 0),
    outputTokens: countWords(text),
  };
}
