import { randomUUID } from "node:crypto";
import type { IngestRun } from "@shared/schemas/ingest.ts";
import type { ReplayRequest, StepPolicy } from "@shared/schemas/replay.ts";
import { type WorkflowDefinition, type WorkflowStep, defineWorkflow, parseStep } from "@shared/workflow/define.ts";
import type { RecordedStep } from "@shared/workflow/types.ts";
import { replayPolicy } from "@shared/workflow/engine.ts";
import type { AppDeps } from "../../deps.ts";
import { badRequest } from "../../lib/errors.ts";
import { checkStoredBaseUrls, credentialNames, resolveCredentials, serverEngine } from "./engine-options.ts";
import { launchReplay } from "./execute.ts";
import { recordReplays } from "./records.ts";
import { loadRun, loadWorkflowRecording, recordingOf, runSpans } from "./recording.ts";
import { configNumber, messagesOf, playgroundStep } from "./playground.ts";
import { describeFields, describeReplay, LABEL_MAX } from "@shared/replay/label.ts";
import { consumeReplay } from "../usage/service.ts";

type Deps = Pick<AppDeps, "database" | "store" | "log" | "lifecycle" | "config" | "metrics">;

export interface ReplayActor {
  userId?: string;
  apiKeyId?: string;
}

/** Fork step and overrides checked before anything is written: a bad request never becomes a failed replay. */
function checkWorkflowRequest(definition: WorkflowDefinition, request: Extract<ReplayRequest, { mode: "workflow" }>) {
  const fork = definition.steps.findIndex((s) => s.id === request.forkStep);
  if (fork < 0)
    throw badRequest(
      `Step "${request.forkStep}" is not in workflow "${definition.name}" (steps: ${definition.steps.map((s) => s.id).join(", ")})`,
    );
  for (const [stepId, override] of Object.entries(request.overrides)) {
    const index = definition.steps.findIndex((s) => s.id === stepId);
    if (index < 0) throw badRequest(`Override for unknown step "${stepId}"`);
    if (index < fork) throw badRequest(`Step "${stepId}" comes before the fork; its recorded output is used as it is`);
    const step = definition.steps[index]!;
    const parsed = parseStep({ ...step, ...override, id: step.id, type: step.type });
    if (!parsed.success)
      throw badRequest(
        `Override of "${stepId}": ${parsed.error.issues.map((i) => `${i.path.join(".") || "step"}: ${i.message}`).join("; ")}`,
      );
  }
  for (const stepId of Object.keys(request.policies)) {
    const index = definition.steps.findIndex((s) => s.id === stepId);
    if (index < 0) throw badRequest(`Policy for unknown step "${stepId}"`);
    if (index < fork && request.policies[stepId] === "live")
      throw badRequest(`Step "${stepId}" comes before the fork and is always recorded`);
  }
  if (request.policies[request.forkStep] === "recorded")
    throw badRequest(`The fork step "${request.forkStep}" runs live: it is the step being fixed`);
}

/** What a replay runs: the parent it forks, the definition, recording, overrides and how each step is treated. */
interface PreparedReplay {
  parent: Awaited<ReturnType<typeof loadRun>>;
  definition: WorkflowDefinition;
  recording: Record<string, RecordedStep>;
  input: unknown;
  forkStep: string;
  overrides: Record<string, Record<string, unknown>>;
  policies: Record<string, StepPolicy>;
  policyOf: (step: WorkflowStep, index: number) => StepPolicy;
  /** What the replays row keeps of the request. */
  stored: Record<string, unknown>;
  /** The variant's generated name: what it changes. */
  describe: string;
}

async function prepareWorkflowReplay(
  deps: Deps,
  orgId: string,
  request: Extract<ReplayRequest, { mode: "workflow" }>,
): Promise<PreparedReplay> {
  const { run, definition, steps } = await loadWorkflowRecording(deps, orgId, request.runId);
  checkWorkflowRequest(definition, request);
  return {
    parent: run,
    definition,
    recording: recordingOf(steps),
    input: run.input,
    forkStep: request.forkStep,
    overrides: request.overrides,
    policies: request.policies,
    policyOf: replayPolicy(definition, request.forkStep, request.policies),
    stored: request.overrides,
    describe: describeReplay(definition, request.forkStep, request.overrides, request.policies),
  };
}

/** The playground: the span's LLM call as a one-step workflow, run live with the edited messages and parameters. */
async function prepareSpanReplay(
  deps: Deps,
  orgId: string,
  request: Extract<ReplayRequest, { mode: "span" }>,
): Promise<PreparedReplay> {
  const parent = await loadRun(deps, orgId, request.runId);
  const span = (await runSpans(deps, orgId, request.runId)).find((s) => s.id === request.spanId);
  if (!span) throw badRequest(`Span ${request.spanId} is not part of run ${request.runId}`);
  if (span.kind !== "llm") throw badRequest(`Span "${span.name}" is not an LLM call; only LLM spans can be re-run`);
  const { messages, model, temperature, maxTokens, credential, baseUrl } = request;
  return {
    parent,
    definition: defineWorkflow({ name: parent.name, steps: [playgroundStep(request)] }),
    recording: {},
    input: span.input,
    forkStep: span.id,
    overrides: {},
    policies: {},
    policyOf: () => "live",
    stored: { messages, model, temperature, maxTokens, credential, baseUrl },
    describe: describePlayground(span, request),
  };
}

/** "classify: model echos/sim→gpt-4o-mini, messages edited": the playground's call against the span it re-runs. */
function describePlayground(
  span: { name: string; model: string | null; input: unknown; config: unknown },
  request: Extract<ReplayRequest, { mode: "span" }>,
): string {
  const after = Object.fromEntries(
    Object.entries({
      model: request.model,
      temperature: request.temperature,
      maxTokens: request.maxTokens,
      messages: request.messages,
    }).filter(([, v]) => v !== undefined),
  );
  const before = {
    model: span.model,
    temperature: configNumber(span.config, "temperature"),
    maxTokens: configNumber(span.config, "maxTokens", "max_tokens"),
    messages: messagesOf(span.input),
  };
  return (describeFields(span.name, before, after) ?? `${span.name}: re-run unchanged`).slice(0, LABEL_MAX);
}

/**
 * Starts a replay: checks the request, counts it towards usage, records the replay and its run, and runs it in the
 * background on this instance. Resolves with the replay's run id as soon as the run exists.
 */
export async function startReplay(
  deps: Deps,
  orgId: string,
  actor: ReplayActor,
  request: ReplayRequest,
  requestCredentials: ReadonlyMap<string, string>,
): Promise<{ replayId: string }> {
  const replayId = randomUUID();
  const { parent, definition, recording, input, forkStep, overrides, policies, policyOf, stored, describe } =
    request.mode === "workflow"
      ? await prepareWorkflowReplay(deps, orgId, request)
      : await prepareSpanReplay(deps, orgId, request);

  const credentials = await resolveCredentials(deps, orgId, credentialNames(definition, overrides), requestCredentials);
  checkStoredBaseUrls(definition, overrides, credentials);
  try {
    await consumeReplay(deps, orgId);
  } catch (error) {
    deps.metrics.replays.inc({ outcome: "refused" });
    throw error;
  }
  await recordReplays(deps.database.db, orgId, [
    {
      id: replayId,
      parentRunId: parent.id,
      mode: request.mode,
      forkStep,
      overrides: stored,
      policies,
      label: request.label ?? describe,
      executor: "server",
      createdBy: actor.userId ?? null,
      apiKeyId: actor.apiKeyId ?? null,
    },
  ]);
  const run: IngestRun = {
    type: "run",
    id: replayId,
    name: parent.name,
    status: "running",
    startedAt: new Date().toISOString(),
    input,
    tags: [...new Set([...parent.tags.filter((t) => t !== "replay"), "replay"])],
    workflowVersionId: request.mode === "workflow" ? parent.workflowVersionId : null,
    replayOf: parent.id,
    replayFromStep: forkStep,
  };
  const { runWritten, done } = launchReplay(deps, {
    orgId,
    replayId,
    definition,
    input,
    recording,
    policyOf,
    overrides,
    engine: serverEngine(deps, { orgId, runId: replayId, definition }, credentials, deps.lifecycle.signal),
    run,
  });
  deps.lifecycle.track(done.catch((error: unknown) => deps.log.error("Replay failed", { orgId, replayId, error })));
  await runWritten;
  return { replayId };
}
