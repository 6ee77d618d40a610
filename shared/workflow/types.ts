import type { StepPolicy } from "../schemas/replay.ts";
import type { WorkflowStep } from "./define.ts";

export type { StepPolicy };
/** How a run ends. */
export type StepStatus = "success" | "error";
/**
 * How a step ends. "held": a replay did not run it: a side effect with no recording to take its output from (the
 * original run never reached it), or a step that needs the output of such a step. It is not a failure.
 */
export type StepResultStatus = StepStatus | "held";

export interface StepResult {
  status: StepResultStatus;
  output?: unknown;
  error?: string;
  /** A held step: what it would have done ("would call POST https://…; switch it live to run it"). */
  held?: string;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  durationMs: number;
  /** "recorded": the output was taken from the recording, nothing ran. */
  policy: StepPolicy;
  attempts: number;
}

/** What replay needs of an earlier run's step; a StepResult (or a stored span) fits. */
export interface RecordedStep {
  output?: unknown;
  /** "held" (a held step of an earlier replay) and "running" count as not recorded. */
  status?: StepResultStatus | "running";
  error?: string | null;
  model?: string | null;
  inputTokens?: number | null;
  outputTokens?: number | null;
}

export interface ToolContext {
  stepId: string;
  /** Aborted when the step times out or the run is cancelled. */
  signal: AbortSignal;
}

// Method syntax makes the parameter bivariant, so `(args: { to: string }) => …` is accepted as a tool.
type Bivariant<Args, R> = { fn(args: Args, context: ToolContext): R }["fn"];
export type ToolFn = Bivariant<unknown, unknown>;
export type Tools = Record<string, ToolFn>;

/** Returns a provider key by credential name, or undefined when there is none. */
export type CredentialLookup = (name: string) => string | undefined;

/** What a step sees: the run's input, and each earlier step's output (and error when it failed). */
export interface StepContext {
  input: unknown;
  steps: Record<string, { output?: unknown; error?: string }>;
}

export interface RunCodeOptions {
  /** The step's `network` flag. */
  allowNetwork?: boolean;
  /** Aborted when the step times out or the run is cancelled. */
  signal?: AbortSignal;
}

export interface EngineOptions {
  tools?: Tools;
  credentials?: CredentialLookup;
  /** Outputs of an earlier run by step id: steps the policy marks "recorded" take their output from here. */
  recording?: Record<string, RecordedStep>;
  /** Default: every step live. */
  policy?: (step: WorkflowStep, index: number) => StepPolicy;
  /** Fields replacing a step's own before it runs (a replay's fork config). Checked against the step schema. */
  overrides?: Record<string, Record<string, unknown>>;
  onStepStart?: (step: WorkflowStep, resolvedConfig: Record<string, unknown>, input: unknown) => void;
  onStepEnd?: (step: WorkflowStep, result: StepResult) => void;
  /** Text of a live LLM step as the model produces it; providers stream when this is set. */
  onToken?: (step: WorkflowStep, text: string) => void;
  /** The provider base URL stored with a credential, for llm steps that name none of their own. */
  baseUrlFor?: (credential: string) => string | undefined;
  /** Called with every http step's URL before it is fetched; throw to refuse it (the server's SSRF guard). */
  beforeHttp?: (url: URL) => Promise<void>;
  /**
   * Runs a code step. Default: in-process `AsyncFunction("input", code)`, which cannot withhold the network; the
   * server plugs in a sandbox that gives the code a `fetch` only when the step sets `network: true`.
   */
  runCode?: (code: string, input: Record<string, unknown>, opts?: RunCodeOptions) => Promise<unknown>;
  fetch?: typeof fetch;
  /** Response size limit of http steps without their own `maxBytes`. Default 1 MB. */
  httpMaxBytes?: number;
  /** First retry delay; doubles per attempt. Default 200 ms. */
  retryDelayMs?: number;
  signal?: AbortSignal;
}

export interface WorkflowResult {
  status: StepStatus;
  output?: unknown;
  error?: string;
  /** By step id, in the order the steps ran; steps after a failure are absent. */
  steps: Record<string, StepResult>;
  /** Steps a replay held back, in order (empty for a run that was not a replay). */
  held: string[];
}
