import type { IngestRun, IngestSpan } from "@shared/schemas/ingest.ts";
import { isObj, str } from "./values.ts";
import {
  costOf,
  generationInput,
  generationOutput,
  isErrorLevel,
  langfuseKindOf,
  ownsUsage,
  usageOf,
} from "./otel/langfuse.ts";

/**
 * Langfuse's legacy batch API (`POST /api/public/ingestion`, what the `langfuse` v2/v3 SDKs send) → Echos ingest
 * items. A trace is a run (`langfuse-<traceId>`); an observation (span, generation, event) is a span
 * (`langfuse-<observationId>`) under its `parentObservationId`. Events naming the same trace or observation are
 * merged in order, so a create and its updates in one batch make one item. An update alone (Langfuse's updates
 * carry only the fields that changed) is a continuation for ingest: the stored name, kind and start stay, and if the
 * create has not arrived yet, it completes the update when it does. A score is kept on what it scores, as the
 * attribute (span) or metadata entry (run) `langfuse.score.<name>`.
 */

export const runIdOf = (traceId: string) => `langfuse-${traceId}`;
export const spanIdOf = (observationId: string) => `langfuse-${observationId}`;

const OBSERVATION_TYPES: Record<string, string> = {
  "span-create": "span",
  "span-update": "span",
  "generation-create": "generation",
  "generation-update": "generation",
  "event-create": "event",
};
/** `observation-create`/`-update` (older clients) name their type in the body; `sdk-log` is acknowledged only. */
const KNOWN_TYPES = new Set([
  ...Object.keys(OBSERVATION_TYPES),
  "observation-create",
  "observation-update",
  "trace-create",
  "score-create",
  "sdk-log",
]);
const CREATES = new Set(["span-create", "generation-create", "event-create", "observation-create"]);

/** Body fields that become columns; every other field is kept as a `langfuse.<field>` attribute or metadata entry. */
const OBSERVATION_FIELDS = new Set([
  "id",
  "traceId",
  "parentObservationId",
  "name",
  "startTime",
  "endTime",
  "input",
  "output",
  "model",
  "modelParameters",
  "type",
  "metadata",
]);
const TRACE_FIELDS = new Set(["id", "name", "timestamp", "input", "output", "tags", "sessionId", "metadata"]);

/** Metadata as single keys (JSON objects stored add up key by key, so an update's metadata adds to the create's). */
function metadataEntries(metadata: unknown, prefix: string): Record<string, unknown> {
  if (metadata === undefined) return {};
  if (!isObj(metadata)) return { [prefix ? prefix.slice(0, -1) : "metadata"]: metadata };
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [`${prefix}${k}`, v]));
}

export interface EventError {
  index: number;
  id: string;
  status: number;
  message: string;
}

/** One trace or observation, as the batch's events about it say (later events win, field by field). */
interface Target {
  kind: "run" | "span";
  id: string;
  /** Positions of the events that made it, whose outcome is this item's. */
  events: number[];
  body: Record<string, unknown>;
  /** The observation type (span, generation, event…), when an event said it. */
  type?: string;
  created: boolean;
  /** The first event's timestamp: the start of a trace or observation that did not say its own. */
  timestamp?: string;
  scores: Record<string, unknown>;
}

export interface ReadBatch {
  targets: Target[];
  errors: EventError[];
  /** Events taken without storing anything (sdk-log). */
  accepted: { index: number; id: string }[];
  /** Each event's id, by position ("" when it had none). */
  eventIds: string[];
}

/** A UTC timestamp as the clients write it (`toISOString()`): taken as it is, its fraction kept to the digit. */
const UTC_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** A timestamp as ISO 8601 in UTC; undefined when it is not a date at all. */
const isoTime = (v: unknown): string | undefined => {
  if (typeof v !== "string") return undefined;
  if (UTC_ISO.test(v)) return v;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
};

/** The batch's events checked one by one and grouped by what they describe; a bad event gets its own error. */
export function readBatch(batch: unknown[]): ReadBatch {
  const errors: EventError[] = [];
  const accepted: ReadBatch["accepted"] = [];
  const targets = new Map<string, Target>();
  const eventIds = batch.map((event) => (isObj(event) ? (str(event.id) ?? "") : ""));
  const fail = (index: number, id: string, message: string) => errors.push({ index, id, status: 400, message });

  batch.forEach((event, index) => {
    if (!isObj(event)) return fail(index, "", "each event must be an object");
    const eventId = str(event.id) ?? "";
    const type = str(event.type);
    if (!eventId) return fail(index, "", "the event's id is missing");
    if (!type || !KNOWN_TYPES.has(type))
      return fail(index, eventId, `unknown event type ${JSON.stringify(event.type ?? null)}`);
    if (event.timestamp !== undefined && !isoTime(event.timestamp))
      return fail(index, eventId, "timestamp must be an ISO 8601 date-time");
    const body = event.body;
    if (!isObj(body)) return fail(index, eventId, "body must be an object");
    if (type === "sdk-log") return accepted.push({ index, id: eventId });

    for (const field of ["timestamp", "startTime", "endTime"]) {
      if (body[field] !== undefined && body[field] !== null && !isoTime(body[field]))
        return fail(index, eventId, `body.${field} must be an ISO 8601 date-time`);
    }
    const targetOf = (kind: Target["kind"], id: string): Target => {
      const key = `${kind}:${id}`;
      const found = targets.get(key);
      if (found) {
        found.events.push(index);
        return found;
      }
      const created: Target = {
        kind,
        id,
        events: [index],
        body: {},
        created: false,
        timestamp: isoTime(event.timestamp),
        scores: {},
      };
      targets.set(key, created);
      return created;
    };

    if (type === "score-create") {
      const name = str(body.name);
      const traceId = str(body.traceId);
      const observationId = str(body.observationId);
      if (!name) return fail(index, eventId, "body.name is required for a score");
      if (!traceId && !observationId) return fail(index, eventId, "a score needs body.traceId or body.observationId");
      const target = observationId ? targetOf("span", observationId) : targetOf("run", traceId!);
      if (observationId && traceId) target.body.traceId ??= traceId;
      target.scores[`langfuse.score.${name}`] = withoutNulls(body);
      return;
    }

    const id = str(body.id);
    if (!id) return fail(index, eventId, "body.id is required");
    if (type === "trace-create") {
      const target = targetOf("run", id);
      Object.assign(target.body, withoutNulls(body));
      target.created = true;
      return;
    }
    const target = targetOf("span", id);
    Object.assign(target.body, withoutNulls(body));
    const observationType = OBSERVATION_TYPES[type] ?? str(body.type)?.toLowerCase();
    if (observationType && (CREATES.has(type) || !target.type)) target.type = observationType;
    if (CREATES.has(type)) target.created = true;
  });
  return { targets: [...targets.values()], errors, accepted, eventIds };
}

function withoutNulls(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in o) if (o[key] !== undefined && o[key] !== null) out[key] = o[key];
  return out;
}

/** Fields of the body not turned into columns, under `langfuse.<field>`: nothing the client sent is dropped. */
function extras(body: Record<string, unknown>, columns: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) if (!columns.has(key)) out[`langfuse.${key}`] = value;
  return out;
}

/** Whether ingest should take the item as a continuation of what is stored (see `IngestOptions.continuing`). */
const isContinuation = (target: Target) => (target.kind === "span" ? !target.created : !str(target.body.name));

function spanItem(target: Target): IngestSpan | { refused: string } {
  const b = target.body;
  const traceId = str(b.traceId);
  if (!traceId) return { refused: "body.traceId is required" };
  const type = target.type ?? "span";
  const kind = langfuseKindOf(type) ?? "custom";
  const llm = ownsUsage(kind);
  // An update's start stands in until its create arrives: the time it was sent.
  const startedAt = isoTime(b.startTime) ?? target.timestamp ?? isoTime(b.endTime) ?? new Date().toISOString();
  const endedAt = isoTime(b.endTime) ?? (type === "event" ? startedAt : undefined);
  const failed = isErrorLevel(b.level);
  const status = failed ? "error" : endedAt ? "success" : "running";

  const usage = usageOf(b.usageDetails, b.usage);
  const cost =
    costOf(b.costDetails) ??
    (typeof b.calculatedTotalCost === "number" ? costOf(b.calculatedTotalCost) : undefined) ??
    (isObj(b.usage) ? costOf(b.usage.totalCost) : undefined);
  const parentId = str(b.parentObservationId);
  const parameters = b.modelParameters;

  return {
    type: "span",
    id: spanIdOf(target.id),
    runId: runIdOf(traceId),
    ...(parentId ? { parentId: spanIdOf(parentId) } : {}),
    name: (str(b.name) ?? type).slice(0, 300),
    kind,
    status,
    startedAt,
    ...(endedAt ? { endedAt } : {}),
    ...(b.input !== undefined ? { input: llm ? generationInput(b.input) : b.input } : {}),
    ...(b.output !== undefined ? { output: llm ? generationOutput(b.output) : b.output } : {}),
    ...(isObj(parameters) ? { config: parameters } : {}),
    attributes: {
      ...(target.type ? { "langfuse.observation.type": target.type } : {}),
      ...extras(b, OBSERVATION_FIELDS),
      ...metadataEntries(b.metadata, "langfuse.observation.metadata."),
      ...target.scores,
    },
    ...(str(b.model) ? { model: str(b.model)!.slice(0, 200) } : {}),
    // Only a model call's usage and cost count in the run's totals; on any other observation they stay attributes.
    ...(llm && usage.inputTokens !== undefined ? { inputTokens: usage.inputTokens } : {}),
    ...(llm && usage.outputTokens !== undefined ? { outputTokens: usage.outputTokens } : {}),
    ...(llm && cost !== undefined ? { costUsd: cost } : {}),
    ...(failed ? { error: str(b.statusMessage) ?? "ERROR" } : {}),
  };
}

function runItem(target: Target): IngestRun {
  const b = target.body;
  const tags = Array.isArray(b.tags) ? b.tags.filter((t): t is string => typeof t === "string") : undefined;
  const session = str(b.sessionId);
  return {
    type: "run",
    id: runIdOf(target.id),
    name: (str(b.name) ?? `Langfuse trace ${target.id}`).slice(0, 300),
    // A Langfuse trace has no status or end of its own: it is a record, and its failures are its observations'.
    status: "success",
    startedAt: isoTime(b.timestamp) ?? target.timestamp ?? new Date().toISOString(),
    ...(b.input !== undefined ? { input: b.input } : {}),
    ...(b.output !== undefined ? { output: b.output } : {}),
    tags: tags ?? [],
    ...(session ? { conversationId: session.slice(0, 200) } : {}),
    // The trace's metadata as the run's, key by key; its other fields (userId, release…) as `langfuse.<field>`.
    metadata: {
      source: "langfuse",
      traceId: target.id,
      ...metadataEntries(b.metadata, ""),
      ...extras(b, TRACE_FIELDS),
      ...target.scores,
    },
  };
}

/**
 * The Echos items of a batch, with the events each one stands for and the ids ingest takes as continuations;
 * targets that cannot be items become errors.
 */
export function toItems(read: ReadBatch) {
  const items: (IngestRun | IngestSpan)[] = [];
  const eventsOf: number[][] = [];
  const errors: EventError[] = [...read.errors];
  const continuing = { runs: new Set<string>(), spans: new Set<string>() };
  for (const target of read.targets) {
    const item = target.kind === "run" ? runItem(target) : spanItem(target);
    if ("refused" in item) {
      for (const index of target.events)
        errors.push({ index, id: read.eventIds[index]!, status: 400, message: item.refused });
      continue;
    }
    items.push(item);
    eventsOf.push(target.events);
    if (isContinuation(target)) (target.kind === "run" ? continuing.runs : continuing.spans).add(item.id);
  }
  return { items, eventsOf, errors, continuing };
}
