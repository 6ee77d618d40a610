import { z } from "zod";
import type { RunStatus, RunSummary } from "./runs.ts";

/** Time travel: replaying a run from a step with a changed config, and comparing the result with the original. */

export const STEP_POLICIES = ["live", "recorded"] as const;
export type TStepPolicy = (typeof STEP_POLICIES)[number];
export type StepType = "llm" | "http" | "code" | "tool";

const ZId = z.string().min(1).max(128);
const ZStepId = z.string().min(1).max(100);
const ZLabel = z.string().trim().max(120).optional();

/** A field set replacing a step's own (prompt, model, temperature, tool args…); checked against the step schema. */
const ZOverride = z.record(z.string(), z.unknown());

export const ZReplayToken = z
  .string()
  .min(20, "stream token is malformed")
  .max(200, "stream token is malformed")
  .regex(/^[\w-]+\.[\w-]+$/, "stream token is malformed");

export const ZWorkflowReplayInput = z.object({
  mode: z.literal("workflow"),
  runId: ZId,
  forkStep: ZStepId,
  /** By step id; usually only the fork step's. */
  overrides: z.record(ZStepId, ZOverride).default({}),
  /** By step id, for steps after the fork: switch a side-effect step live, or keep a step recorded. */
  policies: z.record(ZStepId, z.enum(STEP_POLICIES)).default({}),
  label: ZLabel,
});

export const ZChatMessage = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string().max(200_000),
});
export type TChatMessage = z.infer<typeof ZChatMessage>;

/** The playground: one LLM span of any trace (SDK `trace()` or OpenTelemetry) re-run with edited messages and params. */
export const ZSpanReplayInput = z.object({
  mode: z.literal("span"),
  runId: ZId,
  spanId: ZId,
  messages: z.array(ZChatMessage).min(1, "at least one message").max(500),
  model: z.string().min(1).max(200),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().max(200_000).optional(),
  /** Name of the credential holding the provider key; default OPENAI_API_KEY. */
  credential: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]*$/, "credential names use letters, digits and _")
    .optional(),
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  label: ZLabel,
});

export const ZReplayRequest = z.discriminatedUnion("mode", [ZWorkflowReplayInput, ZSpanReplayInput]);
export type TReplayRequest = z.infer<typeof ZReplayRequest>;
export type TReplayRequestInput = z.input<typeof ZReplayRequest>;

/** One step as a run recorded it, or as a replay produced it. */
export interface StepSnapshot {
  spanId: string;
  status: RunStatus;
  output: unknown;
  error: string | null;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  durationMs: number | null;
  config: unknown;
  input: unknown;
}

export interface StepComparison {
  stepId: string;
  type: StepType | null;
  /** How the replay treated the step; null for a step the replay never reached. */
  policy: TStepPolicy | null;
  original: StepSnapshot | null;
  replay: StepSnapshot | null;
  /** The replay's output or error differs from the original's. */
  changed: boolean;
  /** replay − original; null where either side has no figure (recorded steps cost nothing). */
  deltas: {
    inputTokens: number | null;
    outputTokens: number | null;
    costUsd: number | null;
    durationMs: number | null;
  };
}

export interface ReplayInfo {
  id: string;
  mode: "workflow" | "span";
  parentRunId: string;
  rootRunId: string;
  forkStep: string;
  overrides: Record<string, unknown>;
  policies: Record<string, TStepPolicy>;
  label: string | null;
  executor: "server" | "sdk";
  createdAt: string;
  createdBy: string | null;
}

export interface ReplayResult {
  replay: ReplayInfo;
  run: RunSummary;
  original: RunSummary;
  steps: StepComparison[];
  /** The first step whose output differs from the original's; null when the replay reproduced it. */
  firstDivergence: string | null;
}

/** A step of the Test fix form: what it is, what the recording holds, and how a replay would treat it. */
export interface PlanStep {
  id: string;
  type: StepType;
  /** The step as defined (editable fields). */
  definition: Record<string, unknown>;
  sideEffects: boolean;
  /** A `tool` step: runs in the user's connected runtime. */
  needsRuntime: boolean;
  /** Whether a runtime with this tool is connected right now (tool steps only). */
  runtimeConnected: boolean | null;
  recorded: StepSnapshot | null;
}

export interface LlmSpanPlan {
  spanId: string;
  name: string;
  model: string | null;
  messages: TChatMessage[];
  temperature: number | null;
  maxTokens: number | null;
  output: unknown;
  status: RunStatus;
}

export type ReplayPlan =
  | { mode: "workflow"; run: RunSummary; workflowVersionId: string; steps: PlanStep[] }
  | { mode: "span"; run: RunSummary; spans: LlmSpanPlan[] };

/** What the live replay view receives; `id`s are the replay stream's event ids. */
export type ReplayEvent =
  | { type: "step"; stepId: string; index: number; stepType: StepType; policy: TStepPolicy; snapshot: StepSnapshot }
  | { type: "token"; stepId: string; text: string }
  | { type: "finished"; status: RunStatus; error: string | null }
  | { type: "reset" };

export interface ForkNode {
  runId: string;
  parentRunId: string | null;
  forkStep: string | null;
  label: string | null;
  status: RunStatus;
  startedAt: string;
  durationMs: number | null;
  costUsd: number;
  createdBy: string | null;
}
