import { randomUUID } from "node:crypto";
import type { IngestItem, IngestSpan } from "@shared/schemas/ingest.ts";
import type { ReplayedPolicy, StepSnapshot, StepPolicy } from "@shared/schemas/replay.ts";
import type { WorkflowDefinition, WorkflowStep } from "@shared/workflow/define.ts";
import { errorText, runWorkflow } from "@shared/workflow/engine.ts";
import { spanOutcome } from "@shared/workflow/held.ts";
import type { EngineOptions, RecordedStep, StepResult } from "@shared/workflow/types.ts";
import type { AppDeps } from "../../deps.ts";
import { ingest } from "../ingest/ingest.ts";
import { PriceBook } from "../pricing/prices.ts";
import { loadPriceBook } from "../pricing/service.ts";
import { REPLAY_ALIVE_MS, replayAliveKey } from "./interrupted.ts";
import { replayWriter } from "./stream.ts";

type Deps = Pick<AppDeps, "database" | "store" | "log" | "lifecycle" | "metrics" | "config">;

const MAX_ERROR = 10_000;
/** LLM text is sent to the browser in pieces at most this often, not one log entry per token. */
const TOKEN_FLUSH_MS = 40;

export interface ReplayExecution {
  orgId: string;
  replayId: string;
  definition: WorkflowDefinition;
  input: unknown;
  recording: Record<string, RecordedStep>;
  policyOf: (step: WorkflowStep, index: number) => StepPolicy;
  overrides: Record<string, Record<string, unknown>>;
  /** The server's engine parts: credentials, tools of connected runtimes, sandbox, guarded fetch. */
  engine: Omit<EngineOptions, "recording" | "policy" | "overrides" | "onStepStart" | "onStepEnd" | "onToken">;
  /** Run fields re-sent with the run's end (name, start, tags, replay link). */
  run: Extract<IngestItem, { type: "run" }>;
}

/**
 * Writes spans as the engine produces them: queued, and drained in one ingest batch whenever the previous one is
 * done, so a burst of recorded steps costs one transaction and live views see the same rows as any agent's.
 */
function spanWriter(deps: Deps, orgId: string) {
  let queue: IngestItem[] = [];
  let callbacks: (() => void)[] = [];
  let draining: Promise<void> | null = null;
  const drain = async () => {
    while (queue.length > 0) {
      const items = queue;
      const written = callbacks;
      queue = [];
      callbacks = [];
      try {
        const { rejected, results } = await ingest(deps, orgId, items, { spanLimit: false });
        if (rejected > 0)
          deps.log.warn("Replay items refused", { orgId, errors: results.filter((r) => r.status === "error") });
      } catch (error) {
        deps.log.error("Replay spans not written", { orgId, error });
      }
      for (const callback of written) callback();
    }
    draining = null;
  };
  return {
    push(item: IngestItem, onWritten?: () => void) {
      queue.push(item);
      if (onWritten) callbacks.push(onWritten);
      draining ??= drain();
    },
    async flushed() {
      while (draining) await draining;
    },
  };
}

function snapshot(span: IngestSpan): StepSnapshot {
  const started = Date.parse(span.startedAt);
  return {
    spanId: span.id,
    status: span.status,
    output: span.output ?? null,
    error: span.error ?? null,
    model: span.model ?? null,
    inputTokens: span.inputTokens ?? null,
    outputTokens: span.outputTokens ?? null,
    costUsd: span.costUsd ?? null,
    durationMs: span.endedAt ? Date.parse(span.endedAt) - started : null,
    config: span.config ?? null,
    input: span.input ?? null,
    held: typeof span.attributes?.held === "string" ? span.attributes.held : null,
  };
}

/** Runs the replay in this process (server-side mode: no API key, spans written directly) and streams it. */
/**
 * Starts the replay; `runWritten` settles once its run row exists (what `replays.get` reads), `done` once it has
 * finished. The first events stream while the run row is still being written.
 */
export function launchReplay(deps: Deps, job: ReplayExecution): { runWritten: Promise<void>; done: Promise<void> } {
  let written: () => void = () => {};
  const runWritten = new Promise<void>((resolve) => (written = resolve));
  const done = executeReplay(deps, job, () => written()).finally(() => written());
  return { runWritten, done };
}

async function executeReplay(deps: Deps, job: ReplayExecution, onRunWritten: () => void): Promise<void> {
  const { orgId, replayId, definition } = job;
  const events = replayWriter(deps, orgId, replayId);
  const spans = spanWriter(deps, orgId);
  // While this instance runs the replay it says so; a replay whose instance died is finished by the sweep.
  const alive = () => deps.store.set(replayAliveKey(orgId, replayId), "1", REPLAY_ALIVE_MS).catch(() => {});
  void alive();
  const heartbeat = setInterval(() => void alive(), REPLAY_ALIVE_MS / 3).unref();
  // The run row goes first, in the same queue as its spans; the stream does not wait for it.
  spans.push(job.run, onRunWritten);
  // Live steps are priced as ingest prices any span (the organisation's prices, then the built-in table), so the
  // streamed step shows the cost its span will have. Should the prices not load, ingest still prices the spans.
  const prices = await loadPriceBook(deps.database.db, orgId).catch(() => new PriceBook());
  const indexOf = new Map(definition.steps.map((s, i) => [s.id, i]));
  const open = new Map<string, { span: IngestSpan; policy: StepPolicy }>();
  const pendingText = new Map<string, string>();
  let tokenTimer: NodeJS.Timeout | null = null;
  const flushTokens = () => {
    tokenTimer = null;
    for (const [stepId, text] of pendingText) void events.write({ type: "token", stepId, text });
    pendingText.clear();
  };
  const stepEvent = (step: WorkflowStep, policy: ReplayedPolicy, span: IngestSpan) =>
    void events.write({
      type: "step",
      stepId: step.id,
      index: indexOf.get(step.id) ?? 0,
      stepType: step.type,
      policy,
      snapshot: snapshot(span),
    });

  let result;
  try {
    result = await runWorkflow(definition, job.input, {
      ...job.engine,
      signal: job.engine.signal ?? deps.lifecycle.signal,
      recording: job.recording,
      policy: job.policyOf,
      overrides: job.overrides,
      onStepStart: (step, config, input) => {
        const policy = job.policyOf(step, indexOf.get(step.id) ?? 0);
        const span: IngestSpan = {
          type: "span",
          id: randomUUID(),
          runId: replayId,
          parentId: null,
          name: step.id,
          kind: step.type,
          status: "running",
          startedAt: new Date().toISOString(),
          input,
          config,
          model: step.type === "llm" ? step.model : undefined,
          attributes: { stepType: step.type, policy },
        };
        open.set(step.id, { span, policy });
        stepEvent(step, policy, span);
        spans.push(span);
      },
      onToken: (step, text) => {
        pendingText.set(step.id, (pendingText.get(step.id) ?? "") + text);
        tokenTimer ??= setTimeout(flushTokens, TOKEN_FLUSH_MS);
      },
      onStepEnd: (step, r: StepResult) => {
        const opened = open.get(step.id);
        if (!opened) return;
        if (pendingText.has(step.id)) flushTokens();
        const recorded = r.policy === "recorded";
        // A recorded step ran nothing and cost nothing; what it cost originally stays on the original run.
        const inputTokens = recorded ? null : (r.inputTokens ?? null);
        const outputTokens = recorded ? null : (r.outputTokens ?? null);
        const outcome = spanOutcome(r);
        const ended: IngestSpan = {
          ...opened.span,
          status: outcome.status,
          endedAt: new Date(Date.parse(opened.span.startedAt) + r.durationMs).toISOString(),
          output: r.output,
          error: r.error?.slice(0, MAX_ERROR),
          model: r.model ?? opened.span.model,
          inputTokens,
          outputTokens,
          costUsd: recorded ? null : prices.priceOf(r.model ?? opened.span.model, inputTokens, outputTokens),
          attributes: {
            ...opened.span.attributes,
            policy: outcome.policy,
            ...(outcome.held !== undefined && { held: outcome.held }),
            attempts: r.attempts,
            durationMs: r.durationMs,
          },
        };
        stepEvent(step, outcome.policy, ended);
        spans.push(ended);
      },
    });
  } catch (error) {
    // The engine reports step failures as results; reaching here is a bug in a hook, reported as the run's error.
    result = { status: "error" as const, error: `Replay failed: ${errorText(error)}`, steps: {} };
  }
  if (tokenTimer) {
    clearTimeout(tokenTimer);
    flushTokens();
  }
  spans.push({
    ...job.run,
    status: result.status,
    endedAt: new Date().toISOString(),
    output: result.output,
    error: result.error?.slice(0, MAX_ERROR),
  });
  await spans.flushed();
  clearInterval(heartbeat);
  deps.metrics.replays.inc({ outcome: result.status });
  await events.write({ type: "finished", status: result.status, error: result.error ?? null });
  await deps.store.delete(replayAliveKey(orgId, replayId)).catch(() => {});
}
