import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ErrorBody } from "@shared/schemas/errors.ts";
import { INGEST_MAX_BYTES, type OtlpExportResponse } from "@shared/schemas/ingest.ts";
import type { AppDeps } from "../deps.ts";
import { badRequest } from "../lib/errors.ts";
import type { AuthenticatedKey } from "../modules/api-keys/service.ts";
import { type MappedBatch, mapSpans } from "../modules/ingest/formats/otel/index.ts";
import { type IngestOutcome, ingest } from "../modules/ingest/ingest.ts";
import {
  decodeJsonRequest,
  decodeProtobufRequest,
  encodeProtobufResponse,
  OtlpDecodeError,
  type OtlpSpan,
  type PartialSuccess,
} from "../modules/otlp/decode.ts";
import { applyLogEventsToNewSpans } from "../modules/otlp/log-records.ts";
import { parseJsonRemovingPrototypeKeys } from "./ingest-json.ts";
import { apiKeyDeps } from "./request-deps.ts";
import { requireApiKey } from "./require-api-key.ts";
import { exportLogs } from "./otlp-logs.ts";
import { sendLimitReached } from "./usage-limit.ts";

/** The largest request body, after decompression (gzip from the collector, say). */
export const OTLP_MAX_BYTES = INGEST_MAX_BYTES;
const PROTOBUF_TYPES = ["application/x-protobuf", "application/protobuf"];
/** How many distinct reasons a partial-success message lists before "and N more". */
const MAX_REASONS = 5;

const mediaType = (req: FastifyRequest) => (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();

/**
 * `POST /v1/traces` — OTLP/HTTP trace export, so any OpenTelemetry SDK or collector can send to Echos
 * (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=https://echos…/v1/traces`, `OTEL_EXPORTER_OTLP_HEADERS=x-api-key=…`).
 * Accepts `application/json` and `application/x-protobuf`, answers an `ExportTraceServiceResponse` in the same
 * encoding: 200 and an empty message when everything was taken, 200 and `partialSuccess` when some spans were
 * refused (OTLP clients must not retry those). Spans are stored through the same ingest service as the REST route.
 */
export function registerOtlpRoutes(app: FastifyInstance, deps: AppDeps): void {
  registerOtlpTraceRoute(app, deps, "/v1/traces", (req) => requireApiKey(deps, req, "ingest"));
  registerOtlpLogsRoute(app, deps, "/v1/logs", (req) => requireApiKey(deps, req, "ingest"));
}

/** How a route finds the organisation's key in a request (X-API-Key; HTTP Basic on the Langfuse path). */
export type Authenticate = (req: FastifyRequest) => Promise<AuthenticatedKey>;

/** An OTLP/HTTP trace export route at `path`, authenticated by `authenticate`. */
export function registerOtlpTraceRoute(
  app: FastifyInstance,
  deps: AppDeps,
  path: string,
  authenticate: Authenticate,
): void {
  registerOtlpRoute(app, path, authenticate, "span processor", async (req, reply, key, protobuf) => {
    const decoded = decode(req.body, protobuf);
    const { items, rejected } = mapSpans(decoded);
    const ingestDeps = apiKeyDeps(deps, req, key);
    const outcome = await ingest(ingestDeps, key.orgId, items);
    // At the month's span limit: 429 with Retry-After, which OTLP exporters honour by waiting.
    if (outcome.exhausted && outcome.limit) return sendLimitReached(reply, outcome.limit);
    // Messages sent as log records before their span (POST /v1/logs) are added now that the span is stored.
    await applyLogEventsToNewSpans(ingestDeps, key.orgId, decoded, items, mapSpans);
    return respond(reply, protobuf, partialSuccessOf(items, rejected, outcome.results));
  });
}

/** An OTLP/HTTP logs export route at `path` (see otlp-logs.ts), authenticated by `authenticate`. */
export function registerOtlpLogsRoute(
  app: FastifyInstance,
  deps: AppDeps,
  path: string,
  authenticate: Authenticate,
): void {
  registerOtlpRoute(app, path, authenticate, "log record processor", (req, reply, key, protobuf) =>
    exportLogs(deps, req, reply, key, protobuf),
  );
}

/**
 * One OTLP/HTTP export route: the key checked before the body is read, JSON or protobuf bodies (gzip is undone
 * by the server's compression plugin) up to `OTLP_MAX_BYTES`, 413 and 415 with readable reasons.
 */
function registerOtlpRoute(
  app: FastifyInstance,
  path: string,
  authenticate: Authenticate,
  processor: string,
  handle: (req: FastifyRequest, reply: FastifyReply, key: AuthenticatedKey, protobuf: boolean) => Promise<unknown>,
): void {
  // Its own scope, so the body parsers and the error handler apply to this route only.
  void app.register(async (scope) => {
    scope.addContentTypeParser(PROTOBUF_TYPES, { parseAs: "buffer" }, (_req, body, done) => done(null, body));
    parseJsonRemovingPrototypeKeys(scope);

    scope.setErrorHandler(async (error: FastifyError, _req, reply) => {
      if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
        return reply.code(413).send({
          statusCode: 413,
          error: "Payload Too Large",
          message: `An OTLP export is at most ${OTLP_MAX_BYTES} bytes (after decompression); lower the batch size of the ${processor}`,
        } satisfies ErrorBody);
      }
      throw error; // everything else: the application's error handler
    });

    // The key is checked before the body is read: an unauthenticated client cannot make us parse 5 MB.
    const keys = new WeakMap<FastifyRequest, AuthenticatedKey>();
    scope.post(
      path,
      {
        bodyLimit: OTLP_MAX_BYTES,
        onRequest: async (req) => {
          keys.set(req, await authenticate(req));
        },
      },
      async (req, reply) => {
        const type = mediaType(req);
        const protobuf = PROTOBUF_TYPES.includes(type);
        if (!protobuf && type !== "application/json") {
          return reply.code(415).send({
            statusCode: 415,
            error: "Unsupported Media Type",
            message: `Unsupported content type "${type || "(none)"}": send application/json or application/x-protobuf`,
          } satisfies ErrorBody);
        }
        return handle(req, reply, keys.get(req)!, protobuf);
      },
    );
  });
}

function decode(body: unknown, protobuf: boolean): OtlpSpan[] {
  try {
    // No body at all is an empty message in protobuf, where zero bytes are a valid (empty) request.
    if (protobuf) return decodeProtobufRequest(Buffer.isBuffer(body) ? body : Buffer.alloc(0));
    return decodeJsonRequest(body);
  } catch (error) {
    if (error instanceof OtlpDecodeError) throw badRequest(error.message);
    throw error;
  }
}

/** The spans refused, in mapping or by ingest, as OTLP's partial success (null: none). */
function partialSuccessOf(
  items: MappedBatch["items"],
  rejected: MappedBatch["rejected"],
  results: IngestOutcome["results"],
): PartialSuccess | null {
  const reasons = rejected.map((r) => `${r.spanId ?? "span"}: ${r.error}`);
  let rejectedSpans = rejected.length;
  for (const result of results) {
    if (result.status !== "error") continue;
    const item = items[result.index]!;
    // A refused run is not a refused span (its spans are still stored, under a placeholder run): reported only.
    if (item.type === "span") rejectedSpans += 1;
    reasons.push(`${item.type} ${item.id}: ${result.error}`);
  }
  if (reasons.length === 0) return null;
  const unique = [...new Set(reasons)];
  const more = unique.length > MAX_REASONS ? `; and ${unique.length - MAX_REASONS} more` : "";
  return { rejectedSpans, errorMessage: unique.slice(0, MAX_REASONS).join("; ") + more };
}

function respond(reply: FastifyReply, protobuf: boolean, partialSuccess: PartialSuccess | null) {
  if (protobuf) {
    return reply
      .code(200)
      .type("application/x-protobuf")
      .send(Buffer.from(encodeProtobufResponse(partialSuccess)));
  }
  return reply.code(200).send((partialSuccess ? { partialSuccess } : {}) satisfies OtlpExportResponse);
}
