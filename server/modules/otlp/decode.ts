import protobuf from "protobufjs";
import { storableText } from "../ingest/payload.ts";

/**
 * OTLP/HTTP trace requests (`ExportTraceServiceRequest`), in either encoding, decoded to one common shape.
 *
 * Protobuf is decoded with a descriptor of just the messages needed, field numbers as in opentelemetry-proto
 * (collector/trace/v1/trace_service.proto, trace/v1/trace.proto, resource/v1/resource.proto, common/v1/common.proto);
 * unknown fields (links, flags, dropped counts…) are skipped by the decoder. The decoded message is turned into the
 * OTLP/JSON shape (camelCase names, 64-bit integers as decimal strings) so that both encodings share one normaliser;
 * only ids differ (bytes in protobuf, hex strings in JSON).
 */

/** A payload that cannot be read at all: answered with 400 and this message. */
export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OtlpDecodeError";
  }
}

export interface OtlpEvent {
  name: string;
  timeUnixNano: bigint | null;
  attributes: Record<string, unknown>;
}

export interface OtlpSpan {
  /** Lowercase hex; null when missing or malformed (the span is then rejected). */
  traceId: string | null;
  spanId: string | null;
  /** Null for a root span (absent or empty parent id). */
  parentSpanId: string | null;
  /** Why the parent id could not be read, when it was present but malformed. */
  parentSpanIdError?: string;
  name: string;
  /** SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: bigint | null;
  endTimeUnixNano: bigint | null;
  attributes: Record<string, unknown>;
  events: OtlpEvent[];
  /** StatusCode: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  /** The resource's and the instrumentation scope's, shared by the spans of one ResourceSpans/ScopeSpans. */
  resource: Record<string, unknown>;
  scope: { name?: string; version?: string };
}

const KEY_VALUE = { fields: { key: { type: "string", id: 1 }, value: { type: "AnyValue", id: 2 } } };

const descriptor = {
  nested: {
    otlp: {
      nested: {
        // collector/trace/v1/trace_service.proto
        ExportTraceServiceRequest: {
          fields: { resourceSpans: { rule: "repeated", type: "ResourceSpans", id: 1 } },
        },
        ExportTraceServiceResponse: {
          fields: { partialSuccess: { type: "ExportTracePartialSuccess", id: 1 } },
        },
        ExportTracePartialSuccess: {
          fields: { rejectedSpans: { type: "int64", id: 1 }, errorMessage: { type: "string", id: 2 } },
        },
        // collector/logs/v1/logs_service.proto
        ExportLogsServiceRequest: {
          fields: { resourceLogs: { rule: "repeated", type: "ResourceLogs", id: 1 } },
        },
        ExportLogsServiceResponse: {
          fields: { partialSuccess: { type: "ExportLogsPartialSuccess", id: 1 } },
        },
        ExportLogsPartialSuccess: {
          fields: { rejectedLogRecords: { type: "int64", id: 1 }, errorMessage: { type: "string", id: 2 } },
        },
        // logs/v1/logs.proto
        ResourceLogs: {
          fields: {
            resource: { type: "Resource", id: 1 },
            scopeLogs: { rule: "repeated", type: "ScopeLogs", id: 2 },
            schemaUrl: { type: "string", id: 3 },
          },
        },
        ScopeLogs: {
          fields: {
            scope: { type: "InstrumentationScope", id: 1 },
            logRecords: { rule: "repeated", type: "LogRecord", id: 2 },
            schemaUrl: { type: "string", id: 3 },
          },
        },
        LogRecord: {
          fields: {
            timeUnixNano: { type: "fixed64", id: 1 },
            severityNumber: { type: "int32", id: 2 }, // enum SeverityNumber
            severityText: { type: "string", id: 3 },
            body: { type: "AnyValue", id: 5 },
            attributes: { rule: "repeated", type: "KeyValue", id: 6 },
            droppedAttributesCount: { type: "uint32", id: 7 },
            flags: { type: "fixed32", id: 8 },
            traceId: { type: "bytes", id: 9 },
            spanId: { type: "bytes", id: 10 },
            observedTimeUnixNano: { type: "fixed64", id: 11 },
            eventName: { type: "string", id: 12 },
          },
        },
        // trace/v1/trace.proto
        ResourceSpans: {
          fields: {
            resource: { type: "Resource", id: 1 },
            scopeSpans: { rule: "repeated", type: "ScopeSpans", id: 2 },
            schemaUrl: { type: "string", id: 3 },
          },
        },
        ScopeSpans: {
          fields: {
            scope: { type: "InstrumentationScope", id: 1 },
            spans: { rule: "repeated", type: "Span", id: 2 },
            schemaUrl: { type: "string", id: 3 },
          },
        },
        Span: {
          fields: {
            traceId: { type: "bytes", id: 1 },
            spanId: { type: "bytes", id: 2 },
            traceState: { type: "string", id: 3 },
            parentSpanId: { type: "bytes", id: 4 },
            name: { type: "string", id: 5 },
            kind: { type: "int32", id: 6 }, // enum SpanKind
            startTimeUnixNano: { type: "fixed64", id: 7 },
            endTimeUnixNano: { type: "fixed64", id: 8 },
            attributes: { rule: "repeated", type: "KeyValue", id: 9 },
            droppedAttributesCount: { type: "uint32", id: 10 },
            events: { rule: "repeated", type: "Event", id: 11 },
            droppedEventsCount: { type: "uint32", id: 12 },
            status: { type: "Status", id: 15 },
            flags: { type: "fixed32", id: 16 },
          },
          nested: {
            Event: {
              fields: {
                timeUnixNano: { type: "fixed64", id: 1 },
                name: { type: "string", id: 2 },
                attributes: { rule: "repeated", type: "KeyValue", id: 3 },
                droppedAttributesCount: { type: "uint32", id: 4 },
              },
            },
          },
        },
        Status: {
          fields: { message: { type: "string", id: 2 }, code: { type: "int32", id: 3 } }, // enum StatusCode
        },
        // resource/v1/resource.proto
        Resource: {
          fields: {
            attributes: { rule: "repeated", type: "KeyValue", id: 1 },
            droppedAttributesCount: { type: "uint32", id: 2 },
          },
        },
        // common/v1/common.proto
        InstrumentationScope: {
          fields: {
            name: { type: "string", id: 1 },
            version: { type: "string", id: 2 },
            attributes: { rule: "repeated", type: "KeyValue", id: 3 },
            droppedAttributesCount: { type: "uint32", id: 4 },
          },
        },
        AnyValue: {
          oneofs: {
            value: {
              oneof: ["stringValue", "boolValue", "intValue", "doubleValue", "arrayValue", "kvlistValue", "bytesValue"],
            },
          },
          fields: {
            stringValue: { type: "string", id: 1 },
            boolValue: { type: "bool", id: 2 },
            intValue: { type: "int64", id: 3 },
            doubleValue: { type: "double", id: 4 },
            arrayValue: { type: "ArrayValue", id: 5 },
            kvlistValue: { type: "KeyValueList", id: 6 },
            bytesValue: { type: "bytes", id: 7 },
          },
        },
        ArrayValue: { fields: { values: { rule: "repeated", type: "AnyValue", id: 1 } } },
        KeyValueList: { fields: { values: { rule: "repeated", type: "KeyValue", id: 1 } } },
        KeyValue: KEY_VALUE,
      },
    },
  },
};

type Descriptor = { fields?: object; nested?: Record<string, Descriptor>; options?: object };

/**
 * Strings are read without proto3's UTF-8 validation, which refuses the whole request: a span name holding half of
 * a surrogate pair (as JS exporters encode it) is one string for ingest to store cleaned, not a batch to refuse.
 */
function withLenientStrings(d: Descriptor): Descriptor {
  const nested = d.nested && Object.fromEntries(Object.entries(d.nested).map(([k, v]) => [k, withLenientStrings(v)]));
  return {
    ...d,
    ...(nested ? { nested } : {}),
    ...(d.fields ? { options: { features: { utf8_validation: "NONE" } } } : {}),
  };
}

const root = protobuf.Root.fromJSON(withLenientStrings(descriptor));
const RequestType = root.lookupType("otlp.ExportTraceServiceRequest");
const ResponseType = root.lookupType("otlp.ExportTraceServiceResponse");
const LogsRequestType = root.lookupType("otlp.ExportLogsServiceRequest");
const LogsResponseType = root.lookupType("otlp.ExportLogsServiceResponse");

// ---------------------------------------------------------------------------------------------------------------
// Small readers over unknown input

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Strings as ingest stores them (NUL and lone surrogates as U+FFFD), so keys that differ only there meet here. */
export const clean = storableText;

/** A 64-bit unsigned integer as OTLP/JSON sends it (decimal string or number) or protobufjs gives it (Long-like). */
function toBigInt(v: unknown): bigint | null {
  if (v === undefined || v === null || v === "") return null;
  try {
    if (typeof v === "bigint") return v;
    if (typeof v === "number") return Number.isFinite(v) ? BigInt(Math.trunc(v)) : null;
    if (typeof v === "string") return /^\d+$/.test(v.trim()) ? BigInt(v.trim()) : null;
    if (isObj(v) && typeof v.low === "number" && typeof v.high === "number") {
      return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
    }
  } catch {
    return null;
  }
  return null;
}

const MAX_DEPTH = 32;

/** An AnyValue as a plain JS value: arrays stay arrays, key-value lists become objects, bytes become base64. */
export function anyValue(v: unknown, depth = 0): unknown {
  if (!isObj(v)) return null;
  if (depth > MAX_DEPTH) return "[nested too deep]";
  if ("stringValue" in v && v.stringValue != null)
    return typeof v.stringValue === "string" ? clean(v.stringValue) : null;
  if ("boolValue" in v && v.boolValue != null) return v.boolValue === true;
  if ("intValue" in v && v.intValue != null) {
    const big = typeof v.intValue === "number" ? v.intValue : toSignedBigInt(v.intValue);
    if (typeof big === "number") return big;
    if (big === null) return null;
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(big)
      : big.toString();
  }
  if ("doubleValue" in v && v.doubleValue != null) {
    // Proto3 JSON sends NaN and ±Infinity as strings, and so do we: JSON numbers cannot hold them.
    if (typeof v.doubleValue === "number")
      return Number.isFinite(v.doubleValue) ? v.doubleValue : String(v.doubleValue);
    if (typeof v.doubleValue !== "string") return null;
    const n = Number(v.doubleValue);
    return Number.isFinite(n) ? n : v.doubleValue;
  }
  if ("arrayValue" in v && v.arrayValue != null) {
    const values = isObj(v.arrayValue) && Array.isArray(v.arrayValue.values) ? v.arrayValue.values : [];
    return values.map((x) => anyValue(x, depth + 1));
  }
  if ("kvlistValue" in v && v.kvlistValue != null) {
    const values = isObj(v.kvlistValue) ? v.kvlistValue.values : [];
    return keyValues(values, depth + 1);
  }
  if ("bytesValue" in v && v.bytesValue != null) return typeof v.bytesValue === "string" ? v.bytesValue : null;
  return null;
}

function toSignedBigInt(v: unknown): bigint | null {
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return BigInt(v.trim());
  return toBigInt(v);
}

/** A list of KeyValue as an object; malformed entries are skipped. */
export function keyValues(list: unknown, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (!isObj(kv) || typeof kv.key !== "string" || kv.key === "") continue;
    const key = clean(kv.key);
    if (key === "__proto__") continue;
    out[key] = anyValue(kv.value, depth);
  }
  return out;
}

const HEX = /^[0-9a-f]+$/i;

/** A trace id (16 bytes) or span id (8 bytes) as lowercase hex; null and a reason when malformed or all zero. */
function readId(v: unknown, bytes: 8 | 16, encoding: "hex" | "base64"): { id: string | null; error?: string } {
  if (v === undefined || v === null || v === "") return { id: null };
  if (typeof v !== "string") return { id: null, error: "not a string" };
  let hex: string | null = null;
  // OTLP/JSON uses hex; base64 (protobuf's canonical JSON) is accepted too, as some producers send it.
  if (encoding === "hex" && v.length === bytes * 2 && HEX.test(v)) hex = v.toLowerCase();
  else {
    const raw = Buffer.from(v, "base64");
    if (raw.length === bytes && /^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) hex = raw.toString("hex");
  }
  if (hex === null) return { id: null, error: `expected ${bytes} bytes` };
  if (/^0+$/.test(hex)) return { id: null, error: "all zero" };
  return { id: hex };
}

const SPAN_KINDS = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"];
const STATUS_CODES = ["UNSET", "OK", "ERROR"];

/** An enum as a number, or as its name (`SPAN_KIND_CLIENT`, `STATUS_CODE_ERROR`), which some producers send. */
function enumValue(v: unknown, names: string[], prefix: string): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string") {
    if (/^\d+$/.test(v)) return Number(v);
    const index = names.indexOf(v.toUpperCase().replace(prefix, ""));
    if (index >= 0) return index;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// The shared normaliser

function normalise(body: unknown, encoding: "hex" | "base64"): OtlpSpan[] {
  if (!isObj(body)) throw new OtlpDecodeError("The body must be an ExportTraceServiceRequest object");
  const resourceSpans = body.resourceSpans ?? body.resource_spans ?? [];
  if (!Array.isArray(resourceSpans)) throw new OtlpDecodeError("resourceSpans must be an array");
  const out: OtlpSpan[] = [];
  resourceSpans.forEach((rs, i) => {
    if (!isObj(rs)) throw new OtlpDecodeError(`resourceSpans[${i}] must be an object`);
    const resource = isObj(rs.resource) ? keyValues(rs.resource.attributes) : {};
    // `instrumentationLibrarySpans` is the pre-1.0 name, still sent by old exporters.
    const scopeSpans = rs.scopeSpans ?? rs.scope_spans ?? rs.instrumentationLibrarySpans ?? [];
    if (!Array.isArray(scopeSpans)) throw new OtlpDecodeError(`resourceSpans[${i}].scopeSpans must be an array`);
    scopeSpans.forEach((ss, j) => {
      const where = `resourceSpans[${i}].scopeSpans[${j}]`;
      if (!isObj(ss)) throw new OtlpDecodeError(`${where} must be an object`);
      const rawScope = isObj(ss.scope) ? ss.scope : isObj(ss.instrumentationLibrary) ? ss.instrumentationLibrary : {};
      const scope = {
        ...(typeof rawScope.name === "string" && rawScope.name ? { name: clean(rawScope.name) } : {}),
        ...(typeof rawScope.version === "string" && rawScope.version ? { version: clean(rawScope.version) } : {}),
      };
      const spans = ss.spans ?? [];
      if (!Array.isArray(spans)) throw new OtlpDecodeError(`${where}.spans must be an array`);
      spans.forEach((s, k) => {
        if (!isObj(s)) throw new OtlpDecodeError(`${where}.spans[${k}] must be an object`);
        out.push(normaliseSpan(s, encoding, resource, scope));
      });
    });
  });
  return out;
}

function normaliseSpan(s: Obj, encoding: "hex" | "base64", resource: Obj, scope: OtlpSpan["scope"]): OtlpSpan {
  const traceId = readId(s.traceId ?? s.trace_id, 16, encoding);
  const spanId = readId(s.spanId ?? s.span_id, 8, encoding);
  const parent = readId(s.parentSpanId ?? s.parent_span_id, 8, encoding);
  const status = isObj(s.status) ? s.status : {};
  const events = Array.isArray(s.events) ? s.events : [];
  return {
    traceId: traceId.id,
    spanId: spanId.id,
    parentSpanId: parent.id,
    ...(parent.error ? { parentSpanIdError: parent.error } : {}),
    name: typeof s.name === "string" ? clean(s.name) : "",
    kind: enumValue(s.kind, SPAN_KINDS, "SPAN_KIND_"),
    startTimeUnixNano: toBigInt(s.startTimeUnixNano ?? s.start_time_unix_nano),
    endTimeUnixNano: toBigInt(s.endTimeUnixNano ?? s.end_time_unix_nano),
    attributes: keyValues(s.attributes),
    events: events.filter(isObj).map((e) => ({
      name: typeof e.name === "string" ? clean(e.name) : "",
      timeUnixNano: toBigInt(e.timeUnixNano ?? e.time_unix_nano),
      attributes: keyValues(e.attributes),
    })),
    status: {
      code: enumValue(status.code, STATUS_CODES, "STATUS_CODE_"),
      message: typeof status.message === "string" ? clean(status.message) : "",
    },
    resource,
    scope,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Entry points

/** An OTLP/JSON request body, already parsed from JSON. */
export function decodeJsonRequest(body: unknown): OtlpSpan[] {
  return normalise(body, "hex");
}

/** A protobuf message as the OTLP/JSON object of the same content (ids as base64), or why it cannot be read. */
function protobufObject(type: protobuf.Type, bytes: Uint8Array): Obj {
  try {
    const message = type.decode(bytes);
    return type.toObject(message, { longs: String, bytes: String, enums: Number, defaults: false });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new OtlpDecodeError(`The body is not a valid protobuf ${type.name} (${reason})`);
  }
}

/** An OTLP/protobuf `ExportTraceServiceRequest`. */
export function decodeProtobufRequest(bytes: Uint8Array): OtlpSpan[] {
  return normalise(protobufObject(RequestType, bytes), "base64");
}

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/** `ExportTraceServiceResponse` in protobuf; an empty message (no partial success) is zero bytes. */
export function encodeProtobufResponse(partialSuccess: PartialSuccess | null): Uint8Array {
  return ResponseType.encode(ResponseType.fromObject(partialSuccess ? { partialSuccess } : {})).finish();
}

/** For tests and tools: the protobuf types, to encode requests and decode responses. */
export const otlpProtobufTypes = {
  request: RequestType,
  response: ResponseType,
  logsRequest: LogsRequestType,
  logsResponse: LogsResponseType,
};

// ---------------------------------------------------------------------------------------------------------------
// Logs (`ExportLogsServiceRequest`)

export interface OtlpLogRecord {
  /** Lowercase hex; null when absent. */
  traceId: string | null;
  spanId: string | null;
  /** Why an id that was present could not be read (the record is then refused). */
  idError?: string;
  /** The record's `eventName` field, else its `event.name` attribute (where earlier SDKs put it). */
  eventName: string | null;
  timeUnixNano: bigint | null;
  attributes: Record<string, unknown>;
  body: unknown;
}

function normaliseLogs(body: unknown, encoding: "hex" | "base64"): OtlpLogRecord[] {
  if (!isObj(body)) throw new OtlpDecodeError("The body must be an ExportLogsServiceRequest object");
  const resourceLogs = body.resourceLogs ?? body.resource_logs ?? [];
  if (!Array.isArray(resourceLogs)) throw new OtlpDecodeError("resourceLogs must be an array");
  const out: OtlpLogRecord[] = [];
  resourceLogs.forEach((rl, i) => {
    if (!isObj(rl)) throw new OtlpDecodeError(`resourceLogs[${i}] must be an object`);
    const scopeLogs = rl.scopeLogs ?? rl.scope_logs ?? [];
    if (!Array.isArray(scopeLogs)) throw new OtlpDecodeError(`resourceLogs[${i}].scopeLogs must be an array`);
    scopeLogs.forEach((sl, j) => {
      const where = `resourceLogs[${i}].scopeLogs[${j}]`;
      if (!isObj(sl)) throw new OtlpDecodeError(`${where} must be an object`);
      const records = sl.logRecords ?? sl.log_records ?? [];
      if (!Array.isArray(records)) throw new OtlpDecodeError(`${where}.logRecords must be an array`);
      records.forEach((r, k) => {
        if (!isObj(r)) throw new OtlpDecodeError(`${where}.logRecords[${k}] must be an object`);
        out.push(normaliseLogRecord(r, encoding));
      });
    });
  });
  return out;
}

function normaliseLogRecord(r: Obj, encoding: "hex" | "base64"): OtlpLogRecord {
  const traceId = readId(r.traceId ?? r.trace_id, 16, encoding);
  const spanId = readId(r.spanId ?? r.span_id, 8, encoding);
  const attributes = keyValues(r.attributes);
  const eventName = r.eventName ?? r.event_name;
  const idError = traceId.error
    ? `traceId is invalid (${traceId.error})`
    : spanId.error
      ? `spanId is invalid (${spanId.error})`
      : undefined;
  return {
    traceId: traceId.id,
    spanId: spanId.id,
    ...(idError ? { idError } : {}),
    eventName:
      typeof eventName === "string" && eventName !== ""
        ? clean(eventName)
        : typeof attributes["event.name"] === "string"
          ? attributes["event.name"]
          : null,
    timeUnixNano: toBigInt(r.timeUnixNano ?? r.time_unix_nano) ?? toBigInt(r.observedTimeUnixNano),
    attributes,
    body: r.body === undefined ? null : anyValue(r.body),
  };
}

/** An OTLP/JSON logs request body, already parsed from JSON. */
export function decodeJsonLogsRequest(body: unknown): OtlpLogRecord[] {
  return normaliseLogs(body, "hex");
}

/** An OTLP/protobuf `ExportLogsServiceRequest`. */
export function decodeProtobufLogsRequest(bytes: Uint8Array): OtlpLogRecord[] {
  return normaliseLogs(protobufObject(LogsRequestType, bytes), "base64");
}

export interface LogsPartialSuccess {
  rejectedLogRecords: number;
  errorMessage: string;
}

/** `ExportLogsServiceResponse` in protobuf; an empty message (no partial success) is zero bytes. */
export function encodeProtobufLogsResponse(partialSuccess: LogsPartialSuccess | null): Uint8Array {
  return LogsResponseType.encode(LogsResponseType.fromObject(partialSuccess ? { partialSuccess } : {})).finish();
}
