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

export const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** A non-negative token count that fits the database's integer column. */
export function count(v: unknown): number | undefined {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 2_147_483_647 ? n : undefined;
}

/** A JSON text parsed, or the value itself when it is not JSON (or not a string). */
export function parseJson(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (!(t.startsWith("{") || t.startsWith("["))) return v;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return v;
  }
}

/** A JSON text parsed (any JSON value, a quoted string included), or the text itself when it is not JSON. */
export function parseAnyJson(v: unknown): unknown {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

export const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The first of the keys present (as a defined value), with the key it came from. */
export function firstOf(a: Record<string, unknown>, keys: readonly string[]): { key: string; value: unknown } | null {
  for (const key of keys) if (a[key] !== undefined) return { key, value: a[key] };
  return null;
}
