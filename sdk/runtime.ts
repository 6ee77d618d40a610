import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { IngestRun, IngestSpan } from "../shared/schemas/ingest.ts";
import { defineWorkflow, type WorkflowDefinition, type WorkflowDefinitionInput } from "../shared/workflow/define.ts";
import { compareSteps } from "../shared/replay/compare.ts";
import type { ErrorBody } from "../shared/schemas/errors.ts";
import type { RunRecording } from "../shared/schemas/workflows.ts";
import { errorText, replayPolicy, runWorkflow } from "../shared/workflow/engine.ts";
import { spanOutcome } from "../shared/workflow/held.ts";
import { hashDefinition, workflowVersionId } from "../shared/workflow/hash.ts";
import type {
  CredentialLookup,
  EngineOptions,
  StepPolicy,
  ToolFn,
  Tools,
  WorkflowResult,
} from "../shared/workflow/types.ts";
import { EchosClient } from "./client.ts";
import { RuntimeConnection, type RuntimeConnectOptions } from "./connection.ts";

export interface EchosRuntimeOptions {
  /** Defaults to a new EchosClient built from apiKey / apiUrl (or ECHOS_API_KEY / ECHOS_API_URL). */
  client?: EchosClient;
  apiKey?: string;
  apiUrl?: string;
  /** The functions `tool` steps call, by name. */
  tools?: Tools;
  /** Provider keys by credential name. Default: the process environment (`OPENAI_API_KEY`, …). */
  credentials?: CredentialLookup;
  /** Called instead of throwing when something around the run fails (registration); default: a process warning. */
  onError?: (error: Error) => void;
  /** Engine hooks: a code sandbox, an http guard, a fetch of your own, limits. */
  engine?: Pick<EngineOptions, "runCode" | "beforeHttp" | "fetch" | "httpMaxBytes" | "retryDelayMs">;
  /**
   * Epoch milliseconds for every timestamp the runtime records (default `Date.now`), so runs can be dated other
   * than now — backfilled or imported at the time they happened. Durations stay real.
   */
  clock?: () => number;
}

export interface RuntimeRunOptions extends Pick<EngineOptions, "recording" | "policy" | "overrides" | "signal"> {
  tags?: string[];
  conversationId?: string;
  metadata?: Record<string, unknown>;
  /** Marks the run as a replay of another (what `replay()` sets). */
  replayOf?: { runId: string; stepId: string; policies?: Record<string, StepPolicy>; label?: string };
}

export interface RuntimeReplayOptions {
  /** The step to fork at: earlier steps take their recorded outputs, this one and later ones run. */
  forkStep: string;
  /** Fields replacing a step's own, by step id (usually the fork step's prompt, model, temperature, args…). */
  overrides?: Record<string, Record<string, unknown>>;
  /** Per step after the fork: run a side-effect step `live`, or keep a step `recorded`. */
  policies?: Record<string, StepPolicy>;
  label?: string;
  signal?: AbortSignal;
}

export interface RuntimeReplayResult extends RuntimeRunResult {
  /** Per step, the original beside the replay, and the first step whose output differs. */
  comparison: ReturnType<typeof compareSteps>;
}

export interface RuntimeRunResult extends WorkflowResult {
  runId: string;
  workflowVersionId: string;
}

const SPAN_KIND = { llm: "llm", http: "http", code: "code", tool: "tool" } as const;
const MAX_ERROR = 10_000;
const REGISTER_WAIT_MS = 2000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Runs Echos workflows in your process and records each run as it happens: the run, and a span per step sent when
 * the step starts and again when it ends. Each workflow version is registered once, best effort, so the server can
 * replay it later.
 */
export class EchosRuntime {
  readonly client: EchosClient;
  private readonly apiKey: string | undefined;
  private readonly apiUrl: string;
  private readonly tools: Tools;
  private readonly credentials: CredentialLookup;
  private readonly onError: (error: Error) => void;
  private readonly engine: NonNullable<EchosRuntimeOptions["engine"]>;
  private readonly clock: () => number;
  private readonly registrations = new Map<string, Promise<boolean>>();

  constructor(options: EchosRuntimeOptions = {}) {
    this.client = options.client ?? new EchosClient({ apiKey: options.apiKey, apiUrl: options.apiUrl });
    this.apiKey = options.apiKey ?? process.env.ECHOS_API_KEY;
    this.apiUrl = (options.apiUrl ?? this.client.apiUrl).replace(/\/+$/, "");
    this.tools = { ...options.tools };
    this.credentials = options.credentials ?? ((name) => process.env[name]);
    this.onError = options.onError ?? ((error) => process.emitWarning(`Echos: ${error.message}`));
    this.engine = options.engine ?? {};
    this.clock = options.clock ?? Date.now;
  }

  private now(): string {
    return new Date(this.clock()).toISOString();
  }

  registerTool(name: string, tool: ToolFn): this {
    this.tools[name] = tool;
    return this;
  }

  /**
   * Stores this workflow version on the server (`POST /api/v1/workflows`), once per content hash. Never throws:
   * resolves false, after reporting through `onError`, when the server refuses or cannot be reached.
   */
  registerWorkflow(workflow: WorkflowDefinitionInput): Promise<boolean> {
    const definition = defineWorkflow(workflow);
    const hash = hashDefinition(definition);
    let registration = this.registrations.get(hash);
    if (!registration) {
      registration = this.register(definition, hash);
      this.registrations.set(hash, registration);
    }
    return registration;
  }

  private async register(definition: WorkflowDefinition, hash: string): Promise<boolean> {
    if (!this.apiKey) return false;
    const what = `Workflow "${definition.name}" (${hash.slice(0, 12)}) not registered`;
    try {
      const res = await fetch(`${this.apiUrl}/api/v1/workflows`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": this.apiKey },
        body: JSON.stringify({ name: definition.name, hash, definition }),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.ok) return true;
      const detail = res.status === 404 ? "this server does not accept workflow versions yet" : await res.text();
      this.onError(new Error(`${what}: HTTP ${res.status}: ${detail.slice(0, 300)}; runs are still recorded`));
    } catch (error) {
      this.onError(new Error(`${what}: ${errorText(error)}; runs are still recorded`));
    }
    return false;
  }

  /**
   * Runs the workflow and records it. Resolves with the run's status, never rejects because a step failed; throws
   * only for an invalid definition (a programming error, like a TypeError).
   */
  async run(
    workflow: WorkflowDefinitionInput,
    input: unknown,
    options: RuntimeRunOptions = {},
  ): Promise<RuntimeRunResult> {
    const definition = defineWorkflow(workflow);
    const versionId = workflowVersionId(definition);
    // Usually lands before the run's first batch; never holds the user's run hostage to a slow server.
    await Promise.race([this.registerWorkflow(definition), sleep(REGISTER_WAIT_MS)]);

    const runId = randomUUID();
    const run: IngestRun = {
      type: "run",
      id: runId,
      name: definition.name,
      status: "running",
      startedAt: this.now(),
      input,
      tags: options.tags,
      conversationId: options.conversationId,
      workflowVersionId: versionId,
      metadata: options.metadata,
      ...(options.replayOf && {
        replayOf: options.replayOf.runId,
        replayFromStep: options.replayOf.stepId,
        replay: { overrides: options.overrides, policies: options.replayOf.policies, label: options.replayOf.label },
      }),
    };
    this.client.enqueue(run);
    const open = new Map<string, IngestSpan>();
    const result = await runWorkflow(definition, input, {
      ...this.engine,
      tools: this.tools,
      credentials: this.credentials,
      recording: options.recording,
      policy: options.policy,
      overrides: options.overrides,
      signal: options.signal,
      onStepStart: (step, config, stepInput) => {
        const span: IngestSpan = {
          type: "span",
          id: randomUUID(),
          runId,
          parentId: null,
          name: step.id,
          kind: SPAN_KIND[step.type],
          status: "running",
          startedAt: this.now(),
          input: stepInput,
          config,
          model: step.type === "llm" ? step.model : undefined,
          attributes: { stepType: step.type },
        };
        open.set(step.id, span);
        this.client.enqueue(span);
      },
      onStepEnd: (step, r) => {
        const span = open.get(step.id);
        if (!span) return;
        const outcome = spanOutcome(r);
        this.client.enqueue({
          ...span,
          status: outcome.status,
          endedAt: this.now(),
          output: r.output,
          error: r.error?.slice(0, MAX_ERROR),
          model: r.model ?? span.model,
          inputTokens: r.inputTokens,
          outputTokens: r.outputTokens,
          attributes: {
            ...span.attributes,
            policy: outcome.policy,
            ...(outcome.held !== undefined && { held: outcome.held }),
            attempts: r.attempts,
            durationMs: r.durationMs,
          },
        });
      },
    });
    this.client.enqueue({
      ...run,
      status: result.status,
      endedAt: this.now(),
      output: result.output,
      error: result.error?.slice(0, MAX_ERROR),
    });
    return { ...result, runId, workflowVersionId: versionId };
  }

  /**
   * Replays a recorded run here, in your process, with your tools: fetches the run's recording from Echos (a full
   * API key), re-runs it from `forkStep` with your overrides, and records the result as a replay of that run. Tools
   * with side effects stay recorded unless `policies` switches them live.
   */
  async replay(runId: string, options: RuntimeReplayOptions): Promise<RuntimeReplayResult> {
    const recording = await this.fetchRecording(runId);
    const definition = defineWorkflow(recording.definition);
    const result = await this.run(definition, recording.run.input, {
      recording: recording.steps,
      policy: replayPolicy(definition, options.forkStep, options.policies),
      overrides: options.overrides,
      signal: options.signal,
      tags: ["replay"],
      replayOf: { runId, stepId: options.forkStep, policies: options.policies, label: options.label },
    });
    const comparison = compareSteps(
      definition.steps.map((step) => {
        const replayed = result.steps[step.id];
        const original = recording.steps[step.id] ?? null;
        return {
          stepId: step.id,
          type: step.type,
          policy: replayed ? spanOutcome(replayed).policy : null,
          original,
          replay: replayed
            ? {
                spanId: "",
                status: spanOutcome(replayed).status,
                output: replayed.output ?? null,
                error: replayed.error ?? null,
                model: replayed.model ?? null,
                inputTokens: replayed.policy === "recorded" ? null : (replayed.inputTokens ?? null),
                outputTokens: replayed.policy === "recorded" ? null : (replayed.outputTokens ?? null),
                costUsd: null,
                durationMs: replayed.durationMs,
                config: null,
                input: null,
                held: replayed.held ?? null,
              }
            : null,
        };
      }),
    );
    return { ...result, comparison };
  }

  private async fetchRecording(runId: string): Promise<RunRecording> {
    if (!this.apiKey) throw new Error("runtime.replay() needs a full API key (apiKey or ECHOS_API_KEY)");
    const res = await fetch(`${this.apiUrl}/api/v1/runs/${encodeURIComponent(runId)}/recording`, {
      headers: { "x-api-key": this.apiKey },
      signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as Partial<ErrorBody>;
      throw new Error(
        `Could not fetch the recording of run ${runId}: HTTP ${res.status}: ${body.message ?? body.error ?? res.statusText}`,
      );
    }
    return (await res.json()) as RunRecording;
  }

  /**
   * Connects this process to Echos so that replays can run steps that need its registered tools. Resolves once
   * connected (rejects if the server refuses the key); reconnects by itself until `connection.close()`.
   */
  async connect(options: RuntimeConnectOptions = {}): Promise<RuntimeConnection> {
    if (!this.apiKey) throw new Error("runtime.connect() needs an API key: pass apiKey or set ECHOS_API_KEY");
    const connection = new RuntimeConnection({
      ...options,
      apiUrl: this.apiUrl,
      apiKey: this.apiKey,
      tools: this.tools,
      name: options.name ?? `${hostname()}:${process.pid}`,
      onError: this.onError,
    });
    await connection.ready;
    return connection;
  }

  /** Sends everything recorded so far; see `EchosClient.flush()`. */
  flush(timeoutMs?: number): Promise<boolean> {
    return this.client.flush(timeoutMs);
  }
}
