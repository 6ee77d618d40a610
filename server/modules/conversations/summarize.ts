import type { RunSummary, TranscriptMessage } from "@shared/schemas/runs.ts";

/** Summaries of a conversation: extracted from its transcript, or written by an LLM from a prompt built here. */

const STOP_WORDS = new Set(
  (
    "a an and are as at be but by can could did do does for from had has have how i if in is it its me my no not of " +
    "on or our please so that the their them then there these they this to was we were what when where which who " +
    "will with would you your yes hi hello thanks thank ok okay just also about into than too very"
  ).split(" "),
);

const clip = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
};

const words = (text: string) => (text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []).filter((w) => !STOP_WORDS.has(w));

/**
 * The sentences that carry the conversation's most frequent words (a classic frequency-based extractive summary),
 * returned in the order they were said.
 */
export function keySentences(messages: TranscriptMessage[], count: number, skip: Set<string>): string[] {
  const sentences: { text: string; order: number; terms: string[] }[] = [];
  const frequency = new Map<string, number>();
  for (const message of messages)
    for (const raw of message.content.split(/(?<=[.!?])\s+|\n+/)) {
      const text = raw.trim();
      const terms = words(text);
      if (terms.length < 4 || skip.has(text)) continue;
      sentences.push({ text, order: sentences.length, terms });
      for (const t of new Set(terms)) frequency.set(t, (frequency.get(t) ?? 0) + 1);
    }
  const score = (s: { terms: string[] }) =>
    s.terms.reduce((sum, t) => sum + (frequency.get(t) ?? 0), 0) / Math.sqrt(s.terms.length);
  return sentences
    .map((s) => ({ ...s, score: score(s) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, count)
    .sort((a, b) => a.order - b.order)
    .map((s) => clip(s.text, 220));
}

const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;

/** A useful summary without a model: who asked what, what happened, how it ended, and what failed. */
export function extractiveSummary(transcript: TranscriptMessage[], runs: RunSummary[]): string {
  const spoken = transcript.filter((m) => m.role !== "system");
  const users = spoken.filter((m) => m.role === "user");
  const assistants = spoken.filter((m) => m.role === "assistant");
  const failed = runs.filter((r) => r.status === "error");
  const parts: string[] = [];
  const started = runs.length > 0 ? Date.parse(runs[0]!.startedAt) : NaN;
  const ended = Math.max(...runs.map((r) => Date.parse(r.endedAt ?? r.startedAt)));
  const minutes = Number.isFinite(started) ? Math.round((ended - started) / 60_000) : 0;
  const replies = plural(assistants.length, "assistant reply", "assistant replies");
  parts.push(
    `${plural(runs.length, "run")}${minutes > 0 ? ` over ${minutes} min` : ""}: ` +
      `${plural(users.length, "user message")} and ${replies}` +
      (failed.length > 0 ? `, ${failed.length} failed` : "") +
      ".",
  );
  const first = users[0];
  const last = assistants.at(-1);
  if (first) parts.push(`The user asked: "${clip(first.content, 200)}"`);
  const skip = new Set([first?.content, last?.content].filter((t): t is string => !!t));
  // The middle: every message but the question and the reply quoted in full (the last reply is not always the
  // last message, and its sentences must not be quoted twice).
  const middle = spoken.filter((m) => m !== first && m !== last);
  const key = keySentences(middle, 2, skip);
  if (key.length > 0) parts.push(`Along the way: ${key.map((s) => `"${s}"`).join(" ")}`);
  if (last) parts.push(`Last reply: "${clip(last.content, 200)}"`);
  const lastError = failed.at(-1)?.error;
  if (lastError) parts.push(`Last error: ${clip(lastError, 160)}`);
  if (spoken.length === 0) parts.push("No LLM messages were recorded in these runs.");
  return parts.join("\n");
}

const PROMPT_CHARS = 12_000;

/** The transcript as plain text for a model, keeping its beginning and end when it is too long. */
export function summaryPrompt(transcript: TranscriptMessage[], runs: RunSummary[]): string {
  const lines = transcript.map((m) => `${m.role.toUpperCase()}: ${m.content.replace(/\s+/g, " ").trim()}`);
  let text = lines.join("\n");
  if (text.length > PROMPT_CHARS) {
    const half = PROMPT_CHARS / 2;
    text = `${text.slice(0, half)}\n[… ${text.length - PROMPT_CHARS} characters omitted …]\n${text.slice(-half)}`;
  }
  const failed = runs.filter((r) => r.status === "error").length;
  return (
    `Conversation of ${plural(runs.length, "agent run")}${failed > 0 ? ` (${failed} failed)` : ""}:\n\n${text}\n\n` +
    "Summarise it in 2 to 4 sentences for an engineer reviewing the agent: what the user wanted, what the agent " +
    "did, how it ended, and any error or wrong answer. Plain text, no preamble."
  );
}

export const SUMMARY_SYSTEM = "You write short, factual summaries of conversations between users and AI agents.";
