import type { IngestRun, IngestSpan } from "@shared/schemas/ingest.ts";
import { clean, type OtlpEvent, type OtlpSpan } from "../../../otlp/decode.ts";
import { aiSdk } from "./ai-sdk.ts";
import { truncate } from "../values.ts";
import { type Dialect, type Reading, str } from "./dialect.ts";
import { genAi } from "./gen-ai.ts";
import { langfuse } from "./langfuse.ts";
import { openInference } from "./openinference.ts";
import { openLlmetry } from "./openllmetry.ts";

/**
 * OTLP spans → Echos ingest items. Each instrumentation convention is one dialect (dialect.ts); a span is read by
 * every dialect that recognises it, most specific first, and the GenAI semantic conventions last, as the fallback.
 *
 * One Echos run per trace: `otel-<traceId>`. A run item is emitted only when the trace's root span is in the batch
 * (its name, times and status come from it); otherwise the spans alone are sent and the ingest service keeps a
 * placeholder run until the root arrives, so a later batch never renames a run after one of its children.
 */

/** Most specific first: a span that speaks several (OpenLLMetry writes gen_ai.* too) is read by its own first. */
const DIALECTS: readonly Dialect[] = [langfuse, openInference, openLlmetry, aiSdk, genAi];

export type EchosItem = IngestRun | IngestSpan;

export interface MappedBatch {
  /** Run items first, then spans: a run and its spans may be split across ingest calls without a placeholder. */
  items: EchosItem[];
  /** Spans that could not be mapped at all (no valid ids or start time), with why. */
  rejected: { spanId: string | null; error: string }[];
}

export const runIdOf = (traceId: string) => `otel-${traceId}`;
export const spanIdOf = (spanId: string) => `otel-${spanId}`;

const NAME_MAX = 300;
const ERROR_MAX = 20_000;

/** Nanoseconds since the epoch → ISO 8601 (millisecond precision); null when absent, zero or out of range. */
function isoOf(nanos: bigint | null): string | null {
  if (nanos === null || nanos <= 0n) return null;
  const ms = Number(nanos / 1_000_000n);
  if (ms > 8.64e15) return null;
  return new Date(ms).toISOString();
}

/**
 * The readings of every dialect the span speaks, combined: for each field the first dialect that knows it. A
 * dialect that throws on a span it half-understands is skipped; the span is stored with what the others read.
 */
function readSpan(span: OtlpSpan): {
  reading: Omit<Reading, "used" | "usedEvents">;
  used: Set<string>;
  usedEvents: Set<OtlpEvent>;
} {
  const reading: Omit<Reading, "used" | "usedEvents"> = {};
  const used = new Set<string>();
  const usedEvents = new Set<OtlpEvent>();
  for (const dialect of DIALECTS) {
    let r: Reading | null;
    try {
      r = dialect.read(span);
    } catch {
      continue;
    }
    if (!r) continue;
    for (const [field, value] of Object.entries(r) as [keyof Reading, unknown][]) {
      if (field === "used" || field === "usedEvents" || value === undefined) continue;
      if ((reading as Record<string, unknown>)[field] === undefined)
        (reading as Record<string, unknown>)[field] = value;
    }
    for (const key of r.used) used.add(key);
    for (const event of r.usedEvents) usedEvents.add(event);
  }
  return { reading, used, usedEvents };
}

/** Spans no dialect claimed: HTTP clients and databases still get a kind of their own. */
function fallbackKind(a: Record<string, unknown>): IngestSpan["kind"] {
  if (a["http.request.method"] !== undefined || a["http.method"] !== undefined) return "http";
  if (a["db.system"] !== undefined || a["db.system.name"] !== undefined) return "tool";
  return "custom";
}

const SPAN_KIND_NAMES = ["unspecified", "internal", "server", "client", "producer", "consumer"];

/** The error text of a failed span: its status message, else the message of an `exception` event. */
function errorOf(span: OtlpSpan): string {
  if (span.status.message) return span.status.message;
  const exception = span.events.find((e) => e.name === "exception");
  const message = str(exception?.attributes["exception.message"]);
  const type = str(exception?.attributes["exception.type"]);
  return message && type ? `${type}: ${message}` : (message ?? type ?? "error");
}

function toSpanItem(span: OtlpSpan & { traceId: string; spanId: string }, startedAt: string): IngestSpan {
  const a = span.attributes;
  const { reading, used, usedEvents } = readSpan(span);
  const kind = reading.kind ?? fallbackKind(a);
  const endedAt = isoOf(span.endTimeUnixNano);
  const status = span.status.code === 2 || reading.error ? "error" : endedAt ? "success" : "running";
  // An aggregate's tokens stay in its raw attributes; only the calls it sums are counted.
  const counted = reading.ownsTokens !== false;

  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(a)) if (!used.has(key)) attributes[key] = value;
  attributes["otel.span_kind"] = SPAN_KIND_NAMES[span.kind] ?? String(span.kind);
  if (span.scope.name) attributes["otel.scope.name"] = span.scope.name;
  if (span.scope.version) attributes["otel.scope.version"] = span.scope.version;
  const otherEvents = span.events
    .filter((e) => !usedEvents.has(e))
    .map((e) => ({ name: e.name, time: isoOf(e.timeUnixNano), attributes: e.attributes }));
  if (otherEvents.length > 0) attributes["otel.events"] = otherEvents;

  return {
    type: "span",
    id: spanIdOf(span.spanId),
    runId: runIdOf(span.traceId),
    parentId: span.parentSpanId ? spanIdOf(span.parentSpanId) : null,
    name: truncate(reading.name || span.name || "(unnamed span)", NAME_MAX),
    kind,
    status,
    startedAt,
    endedAt,
    ...(reading.input !== undefined ? { input: reading.input } : {}),
    ...(reading.output !== undefined ? { output: reading.output } : {}),
    ...(reading.config ? { config: reading.config } : {}),
    attributes,
    model: reading.model ? truncate(clean(reading.model), 200) : null,
    inputTokens: counted ? (reading.inputTokens ?? null) : null,
    outputTokens: counted ? (reading.outputTokens ?? null) : null,
    costUsd: counted ? (reading.costUsd ?? null) : null,
    error: status === "error" ? truncate(reading.error ?? errorOf(span), ERROR_MAX) : null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// A batch

/**
 * Service names an SDK sets when the application sets none: the OpenTelemetry SDKs' `unknown_service` (with
 * `:<process.argv0>` in Node.js, `unknown_service:node`), which OpenLLMetry also falls back to. A run is then
 * better named after its root span.
 */
const DEFAULT_SERVICE_NAME = /^unknown_service(:.*)?$/;

function toRunItem(root: OtlpSpan & { traceId: string }, rootItem: IngestSpan, trace: IngestSpan[]): IngestRun {
  const configured = str(root.resource["service.name"]);
  const service = configured && !DEFAULT_SERVICE_NAME.test(configured.trim()) ? configured : undefined;
  const conversationId = trace
    .map((s) => str(s.attributes?.["gen_ai.conversation.id"]) ?? str(s.attributes?.["session.id"]))
    .find((c) => c !== undefined);
  const run: IngestRun = {
    type: "run",
    id: runIdOf(root.traceId),
    name: truncate(service ?? rootItem.name, NAME_MAX),
    status: rootItem.status,
    startedAt: rootItem.startedAt,
    endedAt: rootItem.endedAt ?? null,
    ...(rootItem.input !== undefined ? { input: rootItem.input } : {}),
    ...(rootItem.output !== undefined ? { output: rootItem.output } : {}),
    error: rootItem.error ?? null,
    conversationId: conversationId ? truncate(conversationId, 200) : null,
    metadata: { source: "opentelemetry", traceId: root.traceId, rootSpan: rootItem.name, resource: root.resource },
  };
  // What a convention says of the trace itself wins over what was guessed from its root span and resource; the
  // most specific convention is applied last, so it wins over the others.
  for (const dialect of [...DIALECTS].reverse()) {
    let said: Partial<IngestRun> | null = null;
    try {
      said = dialect.readRun?.(trace) ?? null;
    } catch {
      continue;
    }
    if (!said) continue;
    const { metadata, name, ...rest } = said;
    Object.assign(run, rest);
    if (name) run.name = truncate(name, NAME_MAX);
    if (metadata) run.metadata = { ...run.metadata, ...metadata };
  }
  return run;
}

export function mapSpans(spans: OtlpSpan[]): MappedBatch {
  const rejected: MappedBatch["rejected"] = [];
  const runs: IngestRun[] = [];
  const spanItems: IngestSpan[] = [];
  const byTrace = new Map<
    string,
    { items: IngestSpan[]; root?: { span: OtlpSpan & { traceId: string }; item: IngestSpan } }
  >();

  for (const span of spans) {
    const label = span.spanId ? spanIdOf(span.spanId) : null;
    const { traceId, spanId } = span;
    if (!traceId || !spanId) {
      rejected.push({ spanId: label, error: `${traceId ? "spanId" : "traceId"} is missing or invalid` });
      continue;
    }
    if (span.parentSpanIdError) {
      rejected.push({ spanId: label, error: `parentSpanId is invalid (${span.parentSpanIdError})` });
      continue;
    }
    const startedAt = isoOf(span.startTimeUnixNano);
    if (!startedAt) {
      rejected.push({ spanId: label, error: "startTimeUnixNano is missing or out of range" });
      continue;
    }
    const item = toSpanItem({ ...span, traceId, spanId }, startedAt);
    spanItems.push(item);
    const trace = byTrace.get(traceId) ?? { items: [] };
    trace.items.push(item);
    // Several roots in one trace (rare): the earliest one names the run.
    if (!span.parentSpanId && (!trace.root || item.startedAt < trace.root.item.startedAt)) {
      trace.root = { span: { ...span, traceId }, item };
    }
    byTrace.set(traceId, trace);
  }

  for (const trace of byTrace.values()) {
    if (trace.root) runs.push(toRunItem(trace.root.span, trace.root.item, trace.items));
  }
  return { items: [...runs, ...spanItems], rejected };
}
