import { z } from "zod";
import { ZRecordId, recordId } from "./ids.ts";
import { LABEL_MAX, cleanLabel } from "../replay/label.ts";
import { ZRunDetail, ZRunStatus, ZVerdict } from "./runs.ts";

/** Time travel: replaying a run from a step with a changed config, and comparing the result with the original. */

export const STEP_POLICIES = ["live", "recorded"] as const;
export const ZStepPolicy = z.enum(STEP_POLICIES);
export type StepPolicy = z.infer<typeof ZStepPolicy>;
/**
 * How a replay treated a step: taken from the recording, run live, or held (a side effect it did not execute because
 * there was no recording of it, or a step needing such a step's output).
 */
export const ZReplayedPolicy = z.enum(["live", "recorded", "held"]);
export type ReplayedPolicy = z.infer<typeof ZReplayedPolicy>;
export const ZStepType = z.enum(["llm", "http", "code", "tool"]);
export type StepType = z.infer<typeof ZStepType>;

const ZId = ZRecordId;
const ZStepId = recordId(100);
/** A variant's name as a user gives it: one line (control characters removed), 1 to LABEL_MAX characters. */
export const ZVariantLabel = z
  .string()
  .transform(cleanLabel)
  .pipe(z.string().min(1, "the name is empty").max(LABEL_MAX, `the name is longer than ${LABEL_MAX} characters`));
const ZLabel = ZVariantLabel.optional();

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
  policies: z.record(ZStepId, ZStepPolicy).default({}),
  label: ZLabel,
});

export const ZChatMessage = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string().max(200_000),
});
export type ChatMessage = z.infer<typeof ZChatMessage>;

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
export type ReplayRequest = z.infer<typeof ZReplayRequest>;
export type ReplayRequestInput = z.input<typeof ZReplayRequest>;

/** One step as a run recorded it, or as a replay produced it. */
export const ZStepSnapshot = z.object({
  spanId: z.string(),
  status: ZRunStatus,
  output: z.unknown(),
  error: z.string().nullable(),
  model: z.string().nullable(),
  inputTokens: z.number().nullable(),
  outputTokens: z.number().nullable(),
  costUsd: z.number().nullable(),
  durationMs: z.number().nullable(),
  config: z.unknown(),
  input: z.unknown(),
  /** A held step: what it would have done. */
  held: z.string().nullish(),
});
export type StepSnapshot = z.infer<typeof ZStepSnapshot>;

export const ZStepComparison = z.object({
  stepId: z.string(),
  type: ZStepType.nullable(),
  /** How the replay treated the step; null for a step the replay never reached. */
  policy: ZReplayedPolicy.nullable(),
  original: ZStepSnapshot.nullable(),
  replay: ZStepSnapshot.nullable(),
  /** The replay's output or error differs from the original's. */
  changed: z.boolean(),
  /** replay − original; null where either side has no figure (recorded steps cost nothing). */
  deltas: z.object({
    inputTokens: z.number().nullable(),
    outputTokens: z.number().nullable(),
    costUsd: z.number().nullable(),
    durationMs: z.number().nullable(),
  }),
});
export type StepComparison = z.infer<typeof ZStepComparison>;

export const ZReplayInfo = z.object({
  id: z.string(),
  mode: z.enum(["workflow", "span"]),
  parentRunId: z.string(),
  rootRunId: z.string(),
  forkStep: z.string(),
  overrides: z.record(z.string(), z.unknown()),
  policies: z.record(z.string(), ZStepPolicy),
  label: z.string().nullable(),
  /** 1, 2, 3… in creation order within its fork tree. */
  number: z.number().nullable(),
  verdict: ZVerdict.nullable(),
  verdictStep: z.string().nullable(),
  executor: z.enum(["server", "sdk"]),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
});
export type ReplayInfo = z.infer<typeof ZReplayInfo>;

export const ZReplayResult = z.object({
  replay: ZReplayInfo,
  run: ZRunDetail,
  original: ZRunDetail,
  steps: z.array(ZStepComparison),
  /** The first step whose output differs from the original's; null when the replay reproduced it. */
  firstDivergence: z.string().nullable(),
});
export type ReplayResult = z.infer<typeof ZReplayResult>;

/** A step of the Test fix form: what it is, what the recording holds, and how a replay would treat it. */
export const ZPlanStep = z.object({
  id: z.string(),
  type: ZStepType,
  /** The step as defined (editable fields). */
  definition: z.record(z.string(), z.unknown()),
  sideEffects: z.boolean(),
  /** A `tool` step: runs in the user's connected runtime. */
  needsRuntime: z.boolean(),
  /** Whether a runtime with this tool is connected right now (tool steps only). */
  runtimeConnected: z.boolean().nullable(),
  recorded: ZStepSnapshot.nullable(),
});
export type PlanStep = z.infer<typeof ZPlanStep>;

export const ZLlmSpanPlan = z.object({
  spanId: z.string(),
  name: z.string(),
  model: z.string().nullable(),
  /** As recorded: no length limit, unlike a request's messages. */
  messages: z.array(z.object({ role: ZChatMessage.shape.role, content: z.string() })),
  temperature: z.number().nullable(),
  maxTokens: z.number().nullable(),
  output: z.unknown(),
  status: ZRunStatus,
});
export type LlmSpanPlan = z.infer<typeof ZLlmSpanPlan>;

/** The run a plan is for, with its place in its fork tree (the run it replays, and the tree's first run). */
export const ZPlannedRun = ZRunDetail.extend({ replayOf: z.string().nullable(), rootRunId: z.string() });
export type PlannedRun = z.infer<typeof ZPlannedRun>;

export const ZReplayPlan = z.discriminatedUnion("mode", [
  z.object({
    mode: z.literal("workflow"),
    run: ZPlannedRun,
    workflowVersionId: z.string(),
    steps: z.array(ZPlanStep),
    /** The run's LLM calls, which the playground re-runs one at a time. */
    spans: z.array(ZLlmSpanPlan),
  }),
  z.object({ mode: z.literal("span"), run: ZPlannedRun, spans: z.array(ZLlmSpanPlan) }),
]);
export type ReplayPlan = z.infer<typeof ZReplayPlan>;

/** What the live replay view receives; `id`s are the replay stream's event ids. */
export const ZReplayEvent = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("step"),
    stepId: z.string(),
    index: z.number(),
    stepType: ZStepType,
    policy: ZReplayedPolicy,
    snapshot: ZStepSnapshot,
  }),
  z.object({ type: z.literal("token"), stepId: z.string(), text: z.string() }),
  z.object({ type: z.literal("finished"), status: ZRunStatus, error: z.string().nullable() }),
  z.object({ type: z.literal("reset") }),
]);
export type ReplayEvent = z.infer<typeof ZReplayEvent>;

export const ZForkNode = z.object({
  runId: z.string(),
  parentRunId: z.string().nullable(),
  forkStep: z.string().nullable(),
  label: z.string().nullable(),
  number: z.number().nullable(),
  verdict: ZVerdict.nullable(),
  verdictStep: z.string().nullable(),
  status: ZRunStatus,
  startedAt: z.string(),
  durationMs: z.number().nullable(),
  costUsd: z.number(),
  createdBy: z.string().nullable(),
});
export type ForkNode = z.infer<typeof ZForkNode>;

export const ZRenameVariant = z.object({ replayId: ZId, label: ZVariantLabel });

/** A stream token for one replay of a run; it lasts five minutes. */
export const ZStreamToken = z.object({ token: z.string(), expiresAt: z.string() });
export type StreamToken = z.infer<typeof ZStreamToken>;

export const ZReplayStarted = z.object({ replayId: z.string() });
export type ReplayStarted = z.infer<typeof ZReplayStarted>;

/** `POST /api/v1/runs/:id/replays` without `?wait=true`: 202, and where to read the result. */
export const ZReplayAccepted = z.object({ replayId: z.string(), status: z.literal("running"), result: z.string() });
export type ReplayAccepted = z.infer<typeof ZReplayAccepted>;
