import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppDeps } from "../deps.ts";
import { badRequest } from "../lib/errors.ts";
import type { AuthenticatedKey } from "../modules/api-keys/service.ts";
import { spanIdOf } from "../modules/ingest/formats/otel/index.ts";
import {
  decodeJsonLogsRequest,
  decodeProtobufLogsRequest,
  encodeProtobufLogsResponse,
  type LogsPartialSuccess,
  OtlpDecodeError,
  type OtlpEvent,
  type OtlpLogRecord,
} from "../modules/otlp/decode.ts";
import { applyLogEventsToStoredSpans, eventOfRecord, saveLogEvents } from "../modules/otlp/log-records.ts";
import { apiKeyDeps } from "./request-deps.ts";

/** How many distinct reasons a partial-success message lists before "and N more". */
const MAX_REASONS = 5;

/**
 * `POST /v1/logs` — OTLP/HTTP logs export, for the instrumentations that send a model call's messages as log
 * records (the event form of the GenAI conventions: `gen_ai.user.message`, `gen_ai.choice`…, as
 * `@opentelemetry/instrumentation-openai` does). Those records are kept by their span id and fill that span's input
 * and output, whether the span came before them or comes after. Every other log record is acknowledged and not
 * stored: Echos keeps traces, not an application's logs. A GenAI record without a span id cannot belong to any step
 * and is acknowledged and ignored, with a note in `partialSuccess`; one whose ids are malformed is refused there.
 */
export async function exportLogs(
  deps: AppDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  key: AuthenticatedKey,
  protobuf: boolean,
) {
  const records = decode(req.body, protobuf);
  const bySpan = new Map<string, OtlpEvent[]>();
  const reasons: string[] = [];
  let rejected = 0;
  let unattached = 0;
  for (const record of records) {
    const event = eventOfRecord(record);
    if (!event) continue;
    if (record.idError) {
      rejected += 1;
      reasons.push(`${record.eventName}: ${record.idError}`);
      continue;
    }
    if (!record.spanId || !record.traceId) {
      unattached += 1;
      continue;
    }
    const spanId = spanIdOf(record.spanId);
    const list = bySpan.get(spanId) ?? [];
    list.push(event);
    bySpan.set(spanId, list);
  }
  if (bySpan.size > 0) {
    const ingestDeps = apiKeyDeps(deps, req, key);
    await saveLogEvents(ingestDeps, key.orgId, bySpan);
    // Stored first, then the spans looked for: a span written meanwhile finds the records itself.
    await applyLogEventsToStoredSpans(ingestDeps, key.orgId, [...bySpan.keys()]);
  }
  if (unattached > 0)
    reasons.push(`${unattached} GenAI event record(s) without a trace and span id were ignored: no step to attach to`);
  const unique = [...new Set(reasons)];
  const more = unique.length > MAX_REASONS ? `; and ${unique.length - MAX_REASONS} more` : "";
  const partialSuccess: LogsPartialSuccess | null =
    unique.length > 0
      ? { rejectedLogRecords: rejected, errorMessage: unique.slice(0, MAX_REASONS).join("; ") + more }
      : null;
  if (protobuf)
    return reply
      .code(200)
      .type("application/x-protobuf")
      .send(Buffer.from(encodeProtobufLogsResponse(partialSuccess)));
  return reply.code(200).send(partialSuccess ? { partialSuccess } : {});
}

function decode(body: unknown, protobuf: boolean): OtlpLogRecord[] {
  try {
    // No body at all is an empty message in protobuf, where zero bytes are a valid (empty) request.
    if (protobuf) return decodeProtobufLogsRequest(Buffer.isBuffer(body) ? body : Buffer.alloc(0));
    return decodeJsonLogsRequest(body);
  } catch (error) {
    if (error instanceof OtlpDecodeError) throw badRequest(error.message);
    throw error;
  }
}
