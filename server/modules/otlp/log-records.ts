import { createHash } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import { otelLogRecords, runs, spans } from "../../../db/schema.ts";
import type { IngestRun, IngestSpan } from "@shared/schemas/ingest.ts";
import type { AppDeps } from "../../deps.ts";
import { rowsOf } from "../../infra/db.ts";
import { extractMessages } from "../ingest/formats/otel/gen-ai.ts";
import { spanIdOf } from "../ingest/formats/otel/index.ts";
import { type IngestOutcome, ingest } from "../ingest/ingest.ts";
import type { OtlpEvent, OtlpLogRecord, OtlpSpan } from "./decode.ts";

/**
 * GenAI events sent as OTLP log records (`@opentelemetry/instrumentation-openai` and the other instrumentations
 * that follow the event form of the GenAI conventions), tied back to the span they describe by its span id.
 *
 * A record and its span come in separate requests, in either order, perhaps to different instances; so records are
 * stored first (otel_log_records), and each side then looks for the other after its own write is committed: a
 * span written later finds its records there, and records arriving for a span already stored update it. Whichever
 * commits second sees the first, so no interleaving loses the messages; both may see each other, which only writes
 * the same messages twice. Both updates go through `ingest`, like every other write of a span.
 */

/** The event names of the GenAI conventions whose records carry a model call's messages. */
const GENAI_EVENTS = new Set([
  "gen_ai.system.message",
  "gen_ai.user.message",
  "gen_ai.assistant.message",
  "gen_ai.tool.message",
  "gen_ai.choice",
  "gen_ai.client.inference.operation.details",
]);

/** How long records wait for their span, and stay for a span sent again. */
export const LOG_RECORD_RETENTION_HOURS = 24;

type Deps = Pick<AppDeps, "database" | "store" | "metrics" | "config" | "log">;

/** A GenAI log record as the span event it stands for: the body's fields and the record's attributes. */
export function eventOfRecord(record: OtlpLogRecord): OtlpEvent | null {
  if (!record.eventName || !GENAI_EVENTS.has(record.eventName)) return null;
  const body = record.body;
  const fields: Record<string, unknown> =
    typeof body === "object" && body !== null && !Array.isArray(body)
      ? { ...(body as Record<string, unknown>) }
      : body !== null && body !== undefined
        ? { content: body }
        : {};
  const attributes = { ...fields, ...record.attributes };
  delete attributes["event.name"];
  return { name: record.eventName, timeUnixNano: record.timeUnixNano, attributes };
}

/** The attributes a `gen_ai.client.inference.operation.details` event carries for the span it describes. */
const DETAIL_ATTRIBUTES = ["gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions"];

/**
 * The span with its log-record events added: message events beside its own, and the structured messages of an
 * operation-details event as the attributes the span would have carried (the span's own win).
 */
export function withLogEvents(span: OtlpSpan, events: OtlpEvent[]): OtlpSpan {
  if (events.length === 0) return span;
  const attributes = { ...span.attributes };
  const messageEvents: OtlpEvent[] = [];
  for (const event of events) {
    if (event.name !== "gen_ai.client.inference.operation.details") {
      messageEvents.push(event);
      continue;
    }
    for (const key of DETAIL_ATTRIBUTES)
      if (attributes[key] === undefined && event.attributes[key] !== undefined) attributes[key] = event.attributes[key];
  }
  return { ...span, attributes, events: [...span.events, ...messageEvents] };
}

interface StoredEvent {
  name: string;
  time: string | null;
  attributes: Record<string, unknown>;
}

const toStored = (e: OtlpEvent): StoredEvent => ({
  name: e.name,
  time: e.timeUnixNano === null ? null : e.timeUnixNano.toString(),
  attributes: e.attributes,
});
const fromStored = (e: StoredEvent): OtlpEvent => ({
  name: e.name,
  timeUnixNano: e.time === null ? null : BigInt(e.time),
  attributes: e.attributes,
});

/**
 * Stores the records by their span. The key is a digest of the event and of how many identical events came before
 * it for the same span in this request: an exporter's retry of the request stores nothing twice, while two equal
 * messages in one prompt stay two.
 */
export async function saveLogEvents(deps: Deps, orgId: string, bySpan: Map<string, OtlpEvent[]>): Promise<void> {
  const rows: { orgId: string; spanId: string; key: string; event: StoredEvent }[] = [];
  for (const [spanId, events] of bySpan) {
    const seen = new Map<string, number>();
    for (const event of events) {
      const stored = toStored(event);
      const json = JSON.stringify(stored);
      const nth = seen.get(json) ?? 0;
      seen.set(json, nth + 1);
      const key = createHash("sha256").update(`${nth}\n${json}`).digest("base64url");
      rows.push({ orgId, spanId, key, event: stored });
    }
  }
  for (let i = 0; i < rows.length; i += 1_000)
    await deps.database.db
      .insert(otelLogRecords)
      .values(rows.slice(i, i + 1_000))
      .onConflictDoNothing();
}

/** The stored events of these spans (Echos span ids), in the order they happened, then as they came. */
export async function loadLogEvents(deps: Deps, orgId: string, spanIds: string[]) {
  const bySpan = new Map<string, OtlpEvent[]>();
  if (spanIds.length === 0) return bySpan;
  // One array parameter, however many spans: this runs after every trace export, and most find nothing.
  const rows = rowsOf<{ span_id: string; event: StoredEvent }>(
    await deps.database.db.execute(sql`
      select span_id, event from otel_log_records
      where org_id = ${orgId}::uuid and span_id = any(${sql.param(spanIds)}::text[])
      order by (event->>'time')::numeric nulls last, seq`),
  );
  for (const row of rows) {
    const list = bySpan.get(row.span_id) ?? [];
    list.push(fromStored(row.event));
    bySpan.set(row.span_id, list);
  }
  return bySpan;
}

/**
 * After a batch of spans was written: the spans that already have records are written again with them. Only model
 * calls (and agent operations) that came without their input or output are looked up: records add nothing to a
 * span that carries its messages itself, nor to the HTTP, database and plain spans of a trace. So a batch of
 * complete spans costs nothing here, and only spans whose records came first are written twice.
 */
export async function applyLogEventsToNewSpans(
  deps: Deps,
  orgId: string,
  written: OtlpSpan[],
  items: readonly (IngestRun | IngestSpan)[],
  map: (spans: OtlpSpan[]) => { items: (IngestRun | IngestSpan)[] },
): Promise<void> {
  const ids = items.flatMap((item) =>
    item.type === "span" &&
    (item.kind === "llm" || item.kind === "agent") &&
    (item.input === undefined || item.output === undefined)
      ? [item.id]
      : [],
  );
  if (ids.length === 0) return;
  const events = await loadLogEvents(deps, orgId, ids);
  if (events.size === 0) return;
  const enriched = written.flatMap((s) => {
    const list = s.spanId ? events.get(spanIdOf(s.spanId)) : undefined;
    return list ? [withLogEvents(s, list)] : [];
  });
  await ingest(deps, orgId, map(enriched).items);
}

/**
 * After records were stored: the spans among theirs that are already stored get their messages from all their
 * records (those of earlier requests too), and a root span's run its input and output.
 */
export async function applyLogEventsToStoredSpans(
  deps: Deps,
  orgId: string,
  spanIds: string[],
): Promise<IngestOutcome | null> {
  if (spanIds.length === 0) return null;
  const db = deps.database.db;
  const stored = await db
    .select()
    .from(spans)
    .where(and(eq(spans.orgId, orgId), inArray(spans.id, spanIds)));
  if (stored.length === 0) return null;
  const events = await loadLogEvents(
    deps,
    orgId,
    stored.map((s) => s.id),
  );
  const items: (IngestRun | IngestSpan)[] = [];
  const rootRuns = new Map<string, { input?: unknown; output?: unknown }>();
  for (const row of stored) {
    const { input, output } = extractMessages(withLogEvents(emptySpan, events.get(row.id) ?? []));
    if (input === undefined && output === undefined) continue;
    items.push({
      type: "span",
      id: row.id,
      runId: row.runId,
      parentId: row.parentId,
      name: row.name,
      kind: row.kind,
      status: row.status,
      startedAt: row.startedAt.toISOString(),
      endedAt: row.endedAt?.toISOString() ?? null,
      attributes: row.attributes,
      ...(input !== undefined ? { input } : {}),
      ...(output !== undefined ? { output } : {}),
    });
    if (row.parentId === null) rootRuns.set(row.runId, { input, output });
  }
  if (rootRuns.size > 0) {
    const runRows = await db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, orgId), inArray(runs.id, [...rootRuns.keys()])));
    for (const run of runRows) {
      const { input, output } = rootRuns.get(run.id)!;
      items.unshift({
        type: "run",
        id: run.id,
        name: run.name,
        status: run.status,
        startedAt: run.startedAt.toISOString(),
        endedAt: run.endedAt?.toISOString() ?? null,
        tags: run.tags,
        metadata: run.metadata,
        ...(input !== undefined ? { input } : {}),
        ...(output !== undefined ? { output } : {}),
      });
    }
  }
  return items.length > 0 ? ingest(deps, orgId, items) : null;
}

const emptySpan: OtlpSpan = {
  traceId: null,
  spanId: null,
  parentSpanId: null,
  name: "",
  kind: 0,
  startTimeUnixNano: null,
  endTimeUnixNano: null,
  attributes: {},
  events: [],
  status: { code: 0, message: "" },
  resource: {},
  scope: {},
};

/** Deletes records older than a day, whether or not their span came; in batches, each its own short statement. */
export async function pruneLogRecords(deps: Pick<AppDeps, "database">, batchSize = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = rowsOf(
      await deps.database.db.execute(sql`
        delete from otel_log_records where ctid in (
          select ctid from otel_log_records
          where received_at < now() - ${sql.raw(`interval '${LOG_RECORD_RETENTION_HOURS} hours'`)}
          limit ${batchSize})
        returning 1`),
    ).length;
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
