import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { IngestSpan } from "../shared/schemas/ingest.ts";
import { EchosClient } from "./client.ts";

type SpanKind = IngestSpan["kind"];

interface ActiveSpan {
  runId: string;
  spanId: string | null;
  client: EchosClient;
  clock: () => number;
}

const active = new AsyncLocalStorage<ActiveSpan>();
let defaultClient: EchosClient | undefined;

/** The client `trace()` and `span()` use unless given one: built from ECHOS_API_KEY / ECHOS_API_URL on first use. */
export function getDefaultClient(): EchosClient {
  return (defaultClient ??= new EchosClient());
}

export function setDefaultClient(client: EchosClient): void {
  defaultClient = client;
}

export interface TraceOptions {
  client?: EchosClient;
  input?: unknown;
  tags?: string[];
  conversationId?: string;
  metadata?: Record<string, unknown>;
  /**
   * Epoch milliseconds for the run's timestamps and those of every span inside it (default `Date.now`), so a run
   * can be dated other than now — backfilled or imported at the time it happened. Durations stay real.
   */
  clock?: () => number;
}

const isoTime = (clock: () => number) => new Date(clock()).toISOString();

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Records `fn` as a run. Spans created inside it (through `span()`, across awaits) nest under it. The run is sent
 * when it starts and again when it ends, so a dashboard sees it live. Errors are recorded and re-thrown unchanged.
 */
export async function trace<T>(name: string, fn: () => Promise<T> | T, options: TraceOptions = {}): Promise<T> {
  const client = options.client ?? getDefaultClient();
  const clock = options.clock ?? Date.now;
  const runId = randomUUID();
  const startedAt = isoTime(clock);
  const base = {
    type: "run" as const,
    id: runId,
    name,
    startedAt,
    input: options.input,
    tags: options.tags,
    conversationId: options.conversationId,
    metadata: options.metadata,
  };
  client.enqueue({ ...base, status: "running" });
  try {
    const output = await active.run({ runId, spanId: null, client, clock }, fn);
    client.enqueue({ ...base, status: "success", endedAt: isoTime(clock), output: output as unknown });
    return output;
  } catch (error) {
    client.enqueue({ ...base, status: "error", endedAt: isoTime(clock), error: errorText(error) });
    throw error;
  }
}

export interface SpanUsage {
  inputTokens?: number;
  outputTokens?: number;
}

export interface SpanOptions<T = unknown> {
  kind?: SpanKind;
  input?: unknown;
  config?: unknown;
  model?: string;
  /** Token counts of an `llm` span, read from its result: `(r) => ({ inputTokens: r.usage.prompt_tokens, … })`. */
  usage?: (output: T) => SpanUsage;
  attributes?: Record<string, unknown>;
  client?: EchosClient;
}

/** A step within the current trace (or a run of its own when called outside one). */
export async function span<T>(name: string, fn: () => Promise<T> | T, options: SpanOptions<T> = {}): Promise<T> {
  const parent = active.getStore();
  if (!parent) return trace(name, () => span(name, fn, options), { client: options.client, input: options.input });
  const client = options.client ?? parent.client;
  const spanId = randomUUID();
  const base = {
    type: "span" as const,
    id: spanId,
    runId: parent.runId,
    parentId: parent.spanId,
    name,
    kind: options.kind ?? "custom",
    startedAt: isoTime(parent.clock),
    input: options.input,
    config: options.config,
    model: options.model,
    attributes: options.attributes,
  };
  client.enqueue({ ...base, status: "running" });
  try {
    const output = await active.run({ ...parent, spanId, client }, fn);
    client.enqueue({
      ...base,
      status: "success",
      endedAt: isoTime(parent.clock),
      output: output as unknown,
      ...options.usage?.(output),
    });
    return output;
  } catch (error) {
    client.enqueue({ ...base, status: "error", endedAt: isoTime(parent.clock), error: errorText(error) });
    throw error;
  }
}
