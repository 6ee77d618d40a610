import type { IngestRun, IngestSpan } from "@shared/schemas/ingest.ts";
import type { OtlpEvent, OtlpSpan } from "../../../otlp/decode.ts";

/**
 * What one instrumentation convention (a "dialect": the GenAI semantic conventions, OpenInference, OpenLLMetry, the
 * AI SDK, Langfuse…) reads from a span. Every field is optional: a dialect says what it knows and nothing more, and
 * the readings of all the dialects a span speaks are combined in order (see index.ts), the first to know a field
 * giving it. Attributes and events a dialect turned into fields are named in `used`/`usedEvents`, and left out of
 * the span's raw attributes; everything else is kept as it came.
 */
export interface Reading {
  kind?: IngestSpan["kind"];
  /** A better name than the span's own (a tool span named after its tool, say). */
  name?: string;
  model?: string;
  input?: unknown;
  output?: unknown;
  /** Request parameters (temperature, max_tokens…), as the step's config. */
  config?: Record<string, unknown>;
  inputTokens?: number;
  outputTokens?: number;
  /** Only a cost the producer reported itself; prices are applied by ingest. */
  costUsd?: number;
  error?: string;
  /**
   * Whether this span's tokens belong to it. An aggregate (an agent span summing the model calls under it, the
   * AI SDK's `ai.generateText` around its `doGenerate` calls) says false: its tokens are kept as raw attributes
   * and not counted, so a run's totals count each model call once.
   */
  ownsTokens?: boolean;
  used: string[];
  usedEvents: OtlpEvent[];
}

export interface Dialect {
  name: string;
  /** The span as this dialect reads it; null when the span does not speak it. */
  read(span: OtlpSpan): Reading | null;
  /**
   * What the trace's spans (as mapped, raw attributes included) say about the run itself — a name, input, tags —
   * for conventions that put trace-level facts on spans; null when they say nothing.
   */
  readRun?(spans: IngestSpan[]): Partial<IngestRun> | null;
}

export { count, isObj, parseAnyJson, parseJson, str } from "../values.ts";
