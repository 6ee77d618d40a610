import {
  hasSideEffects,
  parseStep,
  readsStepOf,
  readsValueOf,
  type WorkflowDefinition,
  type WorkflowStep,
} from "./define.ts";
import { FatalStepError, StepTimeoutError } from "./errors.ts";
import { DEFAULT_TIMEOUT_MS, type PreparedStep, prepareStep, type StepOutcome } from "./steps.ts";
import { resolveTemplates } from "./templates.ts";
import type { EngineOptions, StepContext, StepPolicy, StepResult, WorkflowResult } from "./types.ts";

// Echos' own errors read as plain messages; connected-runtime errors come from the server's runtimes module.
const OUR_ERRORS = new Set([
  "Error",
  "FatalStepError",
  "StepTimeoutError",
  "TemplateError",
  "ProviderError",
  "NoConnectedRuntimeError",
  "RuntimeJobError",
]);

/** A readable one-line error: the user's own error classes keep their name (`TypeError: …`). */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return OUR_ERRORS.has(error.name) ? error.message : `${error.name}: ${error.message}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one attempt, failing it after `ms`; the attempt's signal is aborted too, so fetches and tools can stop. */
async function withTimeout(
  execute: (signal: AbortSignal) => Promise<StepOutcome>,
  step: WorkflowStep,
  parent: AbortSignal | undefined,
): Promise<StepOutcome> {
  const ms = step.timeoutMs ?? DEFAULT_TIMEOUT_MS[step.type];
  const controller = new AbortController();
  const signal = parent ? AbortSignal.any([controller.signal, parent]) : controller.signal;
  let timer: NodeJS.Timeout | undefined;
  let cancel = () => {};
  const stopped = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new StepTimeoutError(`Step "${step.id}" timed out after ${ms} ms (timeoutMs)`);
      reject(error);
      controller.abort(error);
    }, ms);
    cancel = () => reject(new FatalStepError("Run cancelled"));
    parent?.addEventListener("abort", cancel, { once: true });
  });
  try {
    return await Promise.race([execute(signal), stopped]);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener("abort", cancel);
  }
}

type Pending = Omit<StepResult, "durationMs">;

/** Whether the recording holds a finished step (a held step of an earlier replay was never recorded). */
const recorded = (options: EngineOptions, stepId: string) => {
  const entry = options.recording && Object.hasOwn(options.recording, stepId) ? options.recording[stepId] : undefined;
  return entry && entry.status !== "running" && entry.status !== "held" ? entry : undefined;
};

function fromRecording(step: WorkflowStep, options: EngineOptions): Pending {
  const entry = recorded(options, step.id);
  const base = { policy: "recorded" as const, attempts: 0 };
  if (!entry)
    return {
      ...base,
      status: "error",
      error: `No recorded output for step ${step.id}: the original run never finished it; switch it to live to run it`,
    };
  if (entry.status === "error") return { ...base, status: "error", error: entry.error ?? "Failed in the recorded run" };
  return {
    ...base,
    status: "success",
    output: entry.output,
    model: entry.model ?? undefined,
    inputTokens: entry.inputTokens ?? undefined,
    outputTokens: entry.outputTokens ?? undefined,
  };
}

const LIVE_HINT = "switch it live to run it";
const shortJson = (value: unknown) => {
  const text = JSON.stringify(value ?? null);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
};

/** What a held side effect would have done, with its templates filled in where they could be. */
function wouldDo(step: WorkflowStep, config: Record<string, unknown> | undefined): string {
  if (step.type === "http")
    return `would call ${step.method} ${typeof config?.url === "string" ? config.url : step.url}; ${LIVE_HINT}`;
  if (step.type === "tool")
    return `would call tool ${step.tool} with ${shortJson(config?.args ?? step.args)}; ${LIVE_HINT}`;
  return `would run this ${step.type} step; ${LIVE_HINT}`;
}

function applyOverride(step: WorkflowStep, options: EngineOptions): WorkflowStep {
  const override = options.overrides?.[step.id];
  if (!override) return step;
  const parsed = parseStep({ ...step, ...override, id: step.id });
  if (parsed.success) return parsed.data;
  throw new FatalStepError(
    `Invalid override: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
  );
}

async function runStep(
  original: WorkflowStep,
  index: number,
  context: StepContext,
  options: EngineOptions,
  held: readonly string[],
) {
  const started = Date.now();
  let step = original;
  let prepared: PreparedStep | undefined;
  let problem: unknown;
  const policy: StepPolicy = options.policy?.(original, index) ?? "live";
  const waitsFor = readsStepOf(original, held);
  try {
    step = applyOverride(original, options);
    // A step waiting for a held output cannot fill in its templates: it is held too, as it is.
    if (!waitsFor) prepared = prepareStep(step, context, options);
  } catch (error) {
    problem = error;
  }
  const { id: _id, type: _type, ...raw } = step;
  options.onStepStart?.(step, prepared?.config ?? raw, prepared?.input);

  const finish = (result: Pending): StepResult => {
    const done = { ...result, durationMs: Date.now() - started };
    options.onStepEnd?.(step, done);
    return done;
  };
  if (waitsFor)
    return {
      step,
      result: finish({ status: "held", held: `needs the output of held step ${waitsFor}`, policy, attempts: 0 }),
    };
  if (policy === "recorded" && hasSideEffects(step) && !recorded(options, step.id))
    return { step, result: finish({ status: "held", held: wouldDo(step, prepared?.config), policy, attempts: 0 }) };
  if (policy === "recorded") return { step, result: finish(fromRecording(step, options)) };
  if (!prepared) return { step, result: finish({ status: "error", error: errorText(problem), policy, attempts: 0 }) };
  const retries = step.retries ?? 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await withTimeout(prepared.execute, step, options.signal);
      return { step, result: finish({ status: "success", ...outcome, policy, attempts: attempt }) };
    } catch (error) {
      if (attempt > retries || error instanceof FatalStepError || options.signal?.aborted)
        return { step, result: finish({ status: "error", error: errorText(error), policy, attempts: attempt }) };
      await sleep((options.retryDelayMs ?? 200) * 2 ** (attempt - 1));
    }
  }
}

/**
 * Runs a workflow's steps in order, each against `{input, steps}` of the steps before it. A failing step does not
 * throw: it ends the run with status "error" (unless it has `continueOnError`). Replay is this same function with a
 * `recording` and a `policy` marking the steps before the fork "recorded".
 *
 * Held steps (replay only): a side effect kept recorded that has no recording — the original run never reached or
 * finished it — is not executed and is not a failure. Its output is unknown, so a later step that needs it is held
 * as well, and the replay goes on with the steps that do not. The run's outcome is the outcome of the steps that ran:
 * success when they all succeeded, whatever was held; its output is absent when it would come from a held step.
 */
export async function runWorkflow(
  definition: WorkflowDefinition,
  input: unknown,
  options: EngineOptions = {},
): Promise<WorkflowResult> {
  const context: StepContext = { input, steps: {} };
  const steps: Record<string, StepResult> = {};
  const held: string[] = [];
  let last: unknown;
  for (const [index, original] of definition.steps.entries()) {
    if (options.signal?.aborted) return { status: "error", error: "Run cancelled", steps, held };
    const { step, result } = await runStep(original, index, context, options, held);
    steps[step.id] = result;
    if (result.status === "held") {
      held.push(step.id);
      last = undefined;
      continue;
    }
    context.steps[step.id] = result.status === "success" ? { output: result.output } : { error: result.error };
    if (result.status === "error" && !step.continueOnError)
      return { status: "error", error: `Step "${step.id}" failed: ${result.error}`, steps, held };
    last = result.output;
  }
  if (readsValueOf(definition.output, held)) return { status: "success", steps, held };
  try {
    const output = definition.output === undefined ? last : resolveTemplates(definition.output, context);
    return { status: "success", output, steps, held };
  } catch (error) {
    return { status: "error", error: `Workflow output: ${errorText(error)}`, steps, held };
  }
}

/**
 * The replay rule: steps before the fork are recorded and the fork step runs; after it steps run live, except steps
 * with side effects (non-GET http, tools flagged `sideEffects`), which stay recorded — unless `choices` says
 * otherwise for a step after the fork.
 */
export function replayPolicy(
  definition: WorkflowDefinition,
  forkStepId: string,
  choices: Readonly<Record<string, StepPolicy>> = {},
) {
  const fork = definition.steps.findIndex((s) => s.id === forkStepId);
  if (fork < 0) throw new Error(`Unknown step "${forkStepId}" in workflow "${definition.name}"`);
  return (step: WorkflowStep, index: number): StepPolicy => {
    if (index < fork) return "recorded";
    if (index === fork) return "live";
    return choices[step.id] ?? (hasSideEffects(step) ? "recorded" : "live");
  };
}
