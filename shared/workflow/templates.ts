/**
 * `{{input.x}}`, `{{steps.<id>.output}}`, `{{steps.<id>.output.field}}` (and `[0]` indexes) in strings and nested
 * objects. A string that is exactly one template yields the raw value; templates inside text are stringified.
 */

export interface TemplateContext {
  input: unknown;
  steps: Record<string, { output?: unknown; error?: string }>;
}

export class TemplateError extends Error {
  override name = "TemplateError";
}

const TEMPLATE = /\{\{\s*([^{}]*?)\s*\}\}/g;
const WHOLE = /^\s*\{\{\s*([^{}]*?)\s*\}\}\s*$/;

function segments(path: string): string[] {
  return path
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .map((s) => s.trim());
}

export interface TemplateRef {
  path: string;
  root: string;
  stepId?: string;
}

/** Every template in a value, for checking a definition before it runs. */
export function templateRefs(value: unknown): TemplateRef[] {
  const refs: TemplateRef[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      for (const match of v.matchAll(TEMPLATE)) {
        const path = match[1] ?? "";
        const [root = "", stepId] = segments(path);
        refs.push({ path, root, stepId: root === "steps" ? (stepId ?? "") : undefined });
      }
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(value);
  return refs;
}

function lookup(path: string, context: TemplateContext): unknown {
  const [root, ...rest] = segments(path);
  let current: unknown;
  if (root === "input") current = context.input;
  else if (root === "steps") {
    const stepId = rest.shift() ?? "";
    if (!Object.hasOwn(context.steps, stepId))
      throw new TemplateError(`{{${path}}}: step "${stepId}" has not run before this point`);
    current = context.steps[stepId];
  } else throw new TemplateError(`{{${path}}}: templates start with input. or steps.`);
  for (const key of rest) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function toText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value);
}

/** Resolves templates in `value`, returning a new value (the original is not modified). */
export function resolveTemplates(value: unknown, context: TemplateContext): unknown {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole) return lookup(whole[1] ?? "", context);
    return value.replace(TEMPLATE, (_, path: string) => toText(lookup(path, context)));
  }
  if (Array.isArray(value)) return value.map((v) => resolveTemplates(v, context));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveTemplates(v, context)]));
  return value;
}

/** For fields that must stay text (a prompt, a URL): a whole-string template of an object becomes its JSON. */
export function resolveText(value: string, context: TemplateContext): string {
  return toText(resolveTemplates(value, context));
}
