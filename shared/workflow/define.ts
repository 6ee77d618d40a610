// zod/mini: the same zod v4 schemas, in ~100 KB of SDK bundle instead of ~800 KB with the classic API.
import en from "zod/v4/locales/en.js";
import * as z from "zod/mini";
import { templateRefs } from "./templates.ts";

/** `input` and `steps` are the names code steps see beside each step's output, so no step may take them. */
const RESERVED_IDS = new Set(["input", "steps"]);

const stepBase = {
  id: z.string().check(
    z.minLength(1),
    z.maxLength(100),
    z.regex(/^[A-Za-z_][\w-]*$/, "step ids start with a letter or _ and use letters, digits, _ or -"),
    z.refine((id) => !RESERVED_IDS.has(id), "step ids `input` and `steps` are reserved"),
  ),
  /** Per attempt; the engine applies a default per step type when unset. */
  timeoutMs: z.optional(z.int().check(z.positive(), z.lte(3_600_000))),
  /** Extra attempts after a failure, with a short exponential backoff. */
  retries: z.optional(z.int().check(z.gte(0), z.lte(10))),
  /** A failure of this step is recorded and the run goes on. */
  continueOnError: z.optional(z.boolean()),
};

/** A conversation's earlier turns, as chat-completions APIs take them. */
export const ZChatHistory = z.array(z.strictObject({ role: z.enum(["user", "assistant"]), content: z.string() }));

export const ZLlmStep = z.strictObject({
  ...stepBase,
  type: z.literal("llm"),
  model: z.string().check(z.minLength(1), z.maxLength(200)),
  system: z.optional(z.string()),
  /**
   * Earlier turns of a chat, sent between the system message and the prompt so the model (and the recorded span)
   * sees the whole conversation: a list of turns, or one template yielding it (`"{{input.history}}"`).
   */
  history: z.optional(z.union([z.string(), ZChatHistory])),
  prompt: z.string(),
  temperature: z.optional(z.number().check(z.gte(0), z.lte(2))),
  maxTokens: z.optional(z.int().check(z.positive())),
  /** The *name* of the credential holding the provider key (never the key itself). */
  credential: z.optional(
    z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_]*$/, "credential names use letters, digits and _")),
  ),
  baseUrl: z.optional(z.url({ protocol: /^https?$/ })),
  /** echos/sim only (providers take the time they take): answer after this long, like a real model would. */
  latencyMs: z.optional(z.int().check(z.gte(0), z.lte(60_000))),
});

export const ZHttpStep = z.strictObject({
  ...stepBase,
  type: z.literal("http"),
  method: z._default(z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]), "GET"),
  url: z.string().check(z.minLength(1)),
  headers: z.optional(z.record(z.string(), z.string())),
  body: z.optional(z.json()),
  maxBytes: z.optional(z.int().check(z.positive())),
});

export const ZCodeStep = z.strictObject({
  ...stepBase,
  type: z.literal("code"),
  code: z.string().check(z.minLength(1)),
  /** Whether the code may `fetch` when the server runs it in its sandbox. Default false. */
  network: z.optional(z.boolean()),
});

export const ZToolStep = z.strictObject({
  ...stepBase,
  type: z.literal("tool"),
  tool: z.string().check(z.minLength(1), z.maxLength(200)),
  args: z.optional(z.json()),
  /** Kept "recorded" in replays unless the user switches it to live: a replay must not e-mail a customer twice. */
  sideEffects: z.optional(z.boolean()),
});

export const ZWorkflowStep = z.discriminatedUnion("type", [ZLlmStep, ZHttpStep, ZCodeStep, ZToolStep]);

export const ZWorkflowDefinition = z
  .strictObject({
    name: z.string().check(z.minLength(1), z.maxLength(200)),
    description: z.optional(z.string().check(z.maxLength(2000))),
    steps: z.array(ZWorkflowStep).check(z.minLength(1), z.maxLength(200)),
    /** Template of the run's output; defaults to the last step's output. */
    output: z.optional(z.json()),
  })
  .check(
    z.superRefine((definition, ctx) => {
      // A template may only read the input or steps that ran before it: anything else is a typo or an ordering mistake.
      const check = (value: unknown, seen: Set<string>, path: (string | number)[], where: string) => {
        for (const ref of templateRefs(value)) {
          const problem =
            ref.root !== "input" && ref.root !== "steps"
              ? "templates start with input. or steps."
              : ref.stepId !== undefined && !seen.has(ref.stepId)
                ? `step "${ref.stepId}" does not run before ${where}`
                : null;
          if (problem) ctx.addIssue({ code: "custom", path, message: `{{${ref.path}}}: ${problem}` });
        }
      };
      const seen = new Set<string>();
      definition.steps.forEach((step, index) => {
        if (seen.has(step.id))
          ctx.addIssue({ code: "custom", path: ["steps", index, "id"], message: `duplicate step id "${step.id}"` });
        // Code reads its input directly; braces in JavaScript are not templates.
        check(step.type === "code" ? null : step, seen, ["steps", index], `"${step.id}"`);
        seen.add(step.id);
      });
      check(definition.output, seen, ["output"], "the output");
    }),
  );

export type WorkflowDefinitionInput = z.input<typeof ZWorkflowDefinition>;
export type WorkflowDefinition = z.output<typeof ZWorkflowDefinition>;
export type WorkflowStep = z.output<typeof ZWorkflowStep>;
export type LlmStep = z.output<typeof ZLlmStep>;
export type HttpStep = z.output<typeof ZHttpStep>;
export type CodeStep = z.output<typeof ZCodeStep>;
export type ToolStep = z.output<typeof ZToolStep>;

// zod/mini ships no messages ("Invalid input"); English ones per parse, leaving zod's global config alone.
const english = en().localeError;

export class WorkflowDefinitionError extends Error {
  override name = "WorkflowDefinitionError";
}

/** Validates a workflow (throwing one readable error listing every problem) and returns it with defaults applied. */
export function defineWorkflow(definition: WorkflowDefinitionInput): WorkflowDefinition {
  const parsed = ZWorkflowDefinition.safeParse(definition, { error: english });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "workflow"}: ${i.message}`);
  throw new WorkflowDefinitionError(`Invalid workflow definition:\n- ${problems.join("\n- ")}`);
}

/** Validates one step (a replay's overridden fork step, say) with readable messages. */
export const parseStep = (step: unknown) => ZWorkflowStep.safeParse(step, { error: english });

/** True when running the step again would act on the world (used by replay to keep it recorded by default). */
export function hasSideEffects(step: WorkflowStep): boolean {
  if (step.type === "http") return step.method !== "GET" && step.method !== "HEAD";
  return step.type === "tool" && step.sideEffects === true;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The first of `ids` whose output `step` reads: a template reading `steps.<id>`, or, for code (which sees every
 * earlier output), an id named in its source. A replay holds a step that reads a held step's output.
 */
export function readsStepOf(step: Pick<WorkflowStep, "type"> & object, ids: readonly string[]): string | undefined {
  if (ids.length === 0) return undefined;
  if (step.type === "code" && "code" in step && typeof step.code === "string") {
    const code = step.code;
    return ids.find((id) => new RegExp(`\\b${escapeRegExp(id)}\\b`).test(code));
  }
  return readsValueOf(step, ids);
}

/** The first of `ids` whose output a value's templates read. */
export function readsValueOf(value: unknown, ids: readonly string[]): string | undefined {
  const refs = new Set(templateRefs(value).map((r) => r.stepId));
  return ids.find((id) => refs.has(id));
}
