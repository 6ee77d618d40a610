import { hasSideEffects, parseStep, type WorkflowDefinition, type WorkflowStep } from "./define.ts";
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

function fromRecording(step: WorkflowStep, options: EngineOptions): Pending {
  const entry = options.recording && Object.hasOwn(options.recording, step.id) ? options.recording[step.id] : undefined;
  const base = { policy: "recorded" as const, attempts: 0 };
  if (!entry || entry.status === "running")
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

function applyOverride(step: WorkflowStep, options: EngineOptions): WorkflowStep {
  const override = options.overrides?.[step.id];
  if (!override) return step;
  const parsed = parseStep({ ...step, ...override, id: step.id });
  if (parsed.success) return parsed.data;
  throw new FatalStepError(
    `Invalid override: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
  );
}

async function runStep(original: WorkflowStep, index: number, context: StepContext, options: EngineOptions) {
  const started = Date.now();
  let step = original;
  let prepared: PreparedStep | undefined;
  let problem: unknown;
  try {
    step = applyOverride(original, options);
    prepared = prepareStep(step, context, options);
  } catch (error) {
    problem = error;
  }
  const policy: StepPolicy = options.policy?.(step, index) ?? "live";
  const { id: _id, type: _type, ...raw } = step;
  options.onStepStart?.(step, prepared?.config ?? raw, prepared?.input);

  const finish = (result: Pending): StepResult => {
    const done = { ...result, durationMs: Date.now() - started };
    options.onStepEnd?.(step, done);
    return done;
  };
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
 */
export async function runWorkflow(
  definition: WorkflowDefinition,
  input: unknown,
  options: EngineOptions = {},
): Promise<WorkflowResult> {
  const context: StepContext = { input, steps: {} };
  const steps: Record<string, StepResult> = {};
  let last: unknown;
  for (const [index, original] of definition.steps.entries()) {
    if (options.signal?.aborted) return { status: "error", error: "Run cancelled", steps };
    const { step, result } = await runStep(original, index, context, options);
    steps[step.id] = result;
    context.steps[step.id] = result.status === "success" ? { output: result.output } : { error: result.error };
    if (result.status === "error" && !step.continueOnError)
      return { status: "error", error: `Step "${step.id}" failed: ${result.error}`, steps };
    last = result.output;
  }
  try {
    const output = definition.output === undefined ? last : resolveTemplates(definition.output, context);
    return { status: "success", output, steps };
  } catch (error) {
    return { status: "error", error: `Workflow output: ${errorText(error)}`, steps };
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
