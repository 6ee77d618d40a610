import { hasSideEffects, type WorkflowDefinition } from "../workflow/define.ts";

/** Longest label a user may give a variant. */
export const LABEL_MAX = 120;

const SHORT = 24;
const show = (value: unknown): string | null => {
  if (value === undefined || value === null) return "none";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string" && value.length <= SHORT && !value.includes("\n")) return value;
  return null;
};

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]+/g;

/** Control characters (a pasted newline, a terminal escape) have no place in a one-line name. */
export function cleanLabel(label: string): string {
  return label.replace(CONTROL, " ").replace(/\s+/g, " ").trim();
}

/** "answer: temperature 0.7→0.2, prompt edited" — what a field set changes, one short phrase per field. */
export function describeFields(
  subject: string,
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): string | null {
  const parts: string[] = [];
  for (const [field, value] of Object.entries(after)) {
    const old = before[field];
    if (JSON.stringify(old) === JSON.stringify(value)) continue;
    const [from, to] = [show(old), show(value)];
    parts.push(from !== null && to !== null ? `${field} ${from}→${to}` : `${field} edited`);
  }
  return parts.length > 0 ? `${subject}: ${parts.join(", ")}` : null;
}

/**
 * A variant's generated name: what its overrides change in each step, and which steps it switches live or keeps
 * recorded. "answer: temperature 0.7→0.2, prompt edited · send live".
 */
export function describeReplay(
  definition: WorkflowDefinition | null,
  forkStep: string,
  overrides: Readonly<Record<string, unknown>>,
  policies: Readonly<Record<string, string>>,
): string {
  const phrases: string[] = [];
  for (const [stepId, fields] of Object.entries(overrides)) {
    if (fields === null || typeof fields !== "object") continue;
    const step = definition?.steps.find((s) => s.id === stepId);
    const phrase = describeFields(stepId, step ?? {}, fields as Record<string, unknown>);
    if (phrase) phrases.push(phrase);
  }
  // Only a choice that differs from the replay rule's default (side effects recorded, the rest live) changes anything.
  for (const [stepId, policy] of Object.entries(policies)) {
    const step = definition?.steps.find((s) => s.id === stepId);
    if (step && policy === (hasSideEffects(step) ? "recorded" : "live")) continue;
    phrases.push(`${stepId} ${policy}`);
  }
  const text = phrases.length > 0 ? phrases.join(" · ") : `${forkStep}: re-run unchanged`;
  return text.length > LABEL_MAX ? `${text.slice(0, LABEL_MAX - 1)}…` : text;
}
