import * as zlib from "node:zlib";
import { and, eq, inArray } from "drizzle-orm";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ErrorBody } from "@shared/schemas/errors.ts";
import { INGEST_MAX_BYTES, INGEST_MAX_ITEMS } from "@shared/schemas/ingest.ts";
import { spans } from "../../db/schema.ts";
import type { AppDeps } from "../deps.ts";
import { badRequest, notFound } from "../lib/errors.ts";
import type { AuthenticatedKey } from "../modules/api-keys/service.ts";
import {
  type LangSmithOperation,
  type MappedRuns,
  mapRuns,
  namedIds,
  runIdOf,
  spanIdOf,
  type StoredSpan,
} from "../modules/ingest/formats/langsmith.ts";
import { isObj } from "../modules/ingest/formats/values.ts";
import { type IngestOutcome, ingest } from "../modules/ingest/ingest.ts";
import { VERSION } from "../version.ts";
import { parseJsonRemovingPrototypeKeys } from "./ingest-json.ts";
import { apiKeyDeps } from "./request-deps.ts";
import { requireApiKey } from "./require-api-key.ts";
import { sendLimitReached } from "./usage-limit.ts";

/** Where the LangSmith API lives: clients set `LANGSMITH_ENDPOINT=https://echos…/api/langsmith`. */
export const LANGSMITH_BASE = "/api/langsmith";
/** Run operations in one batch or multipart request, as `/info` tells the client (it batches up to this). */
const BATCH_SIZE_LIMIT = Math.floor(INGEST_MAX_ITEMS / 2);
/** The run fields the multipart format sends as parts of their own, beside the run's main part. */
const MULTIPART_FIELDS = new Set(["inputs", "outputs", "events", "extra", "error", "serialized"]);
/** How many per-run reasons an answer lists. */
const MAX_ERRORS = 20;
/** Request bodies compressed with zstd are read when this Node.js has it (22.15 and later). */
const ZSTD = "createZstdDecompress" in zlib;

interface Answer {
  accepted: number;
  rejected: number;
  errors: { id: string | null; error: string }[];
}

/**
 * The LangSmith ingest API, so the `langsmith` client and LangChain's tracer send their runs to Echos with no code
 * changed: `GET /info`, `POST /runs`, `PATCH /runs/:id`, `POST /runs/batch` and `POST /runs/multipart` under
 * `/api/langsmith`, authenticated by an Echos API key in `x-api-key` (`LANGSMITH_API_KEY`). Runs are mapped by
 * formats/langsmith.ts and stored through the one ingest service. Accepted requests are answered 202, as
 * LangSmith does; a request none of whose runs could be taken is answered 400 with the reasons.
 */
export function registerLangSmithRoutes(app: FastifyInstance, deps: AppDeps): void {
  void app.register(
    async (scope) => {
      parseJsonRemovingPrototypeKeys(scope);
      scope.addContentTypeParser("multipart/form-data", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
      scope.setErrorHandler(async (error: FastifyError, _req, reply) => {
        if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
          return reply.code(413).send({
            statusCode: 413,
            error: "Payload Too Large",
            message: `A LangSmith request is at most ${INGEST_MAX_BYTES} bytes (after decompression); send smaller batches (LANGSMITH_BATCH_SIZE_LIMIT)`,
          } satisfies ErrorBody);
        }
        throw error;
      });

      // What the client asks before its first batch: it sends multipart (compressed when allowed) up to these limits.
      scope.get("/info", async () => ({
        version: VERSION,
        license_expiration_time: null,
        batch_ingest_config: {
          use_multipart_endpoint: true,
          scale_up_qsize_trigger: 1000,
          scale_up_nthreads_limit: 16,
          scale_down_nempty_trigger: 4,
          size_limit: BATCH_SIZE_LIMIT,
          size_limit_bytes: Math.floor(INGEST_MAX_BYTES / 2),
        },
        instance_flags: { gzip_body_enabled: true, zstd_compression_enabled: ZSTD },
      }));

      // The key is checked before the body is read: an unauthenticated client cannot make us parse 5 MB.
      const keys = new WeakMap<FastifyRequest, AuthenticatedKey>();
      const authenticated = {
        bodyLimit: INGEST_MAX_BYTES,
        onRequest: async (req: FastifyRequest) => {
          keys.set(req, await requireApiKey(deps, req, "ingest"));
        },
      };

      scope.post("/runs", authenticated, async (req, reply) => {
        const run = objectBody(req.body, "a run");
        const answer = await store(deps, req, keys.get(req)!, [{ op: "post", run }], reply);
        if (!answer) return reply;
        if (answer.rejected > 0) throw badRequest(answer.errors.map((e) => e.error).join("; "));
        return reply.code(202).send({ message: "Run created" });
      });

      scope.patch<{ Params: { id: string } }>("/runs/:id", authenticated, async (req, reply) => {
        const run = { ...objectBody(req.body, "a run update"), id: req.params.id };
        const answer = await store(deps, req, keys.get(req)!, [{ op: "patch", run }], reply);
        if (!answer) return reply;
        if (answer.rejected > 0) {
          const reason = answer.errors.map((e) => e.error).join("; ");
          throw reason.startsWith("unknown run") ? notFound(reason) : badRequest(reason);
        }
        return reply.code(202).send({ message: "Run updated" });
      });

      scope.post("/runs/batch", authenticated, async (req, reply) => {
        const body = objectBody(req.body, "a batch ({post: [...], patch: [...]})");
        const operations: LangSmithOperation[] = [];
        for (const op of ["post", "patch"] as const) {
          const list = body[op] ?? [];
          if (!Array.isArray(list)) throw badRequest(`${op} must be a list of runs`);
          for (const run of list) operations.push({ op, run: isObj(run) ? run : {} });
        }
        return answerBatch(reply, await store(deps, req, keys.get(req)!, operations, reply));
      });

      scope.post("/runs/multipart", authenticated, async (req, reply) => {
        const type = req.headers["content-type"] ?? "";
        if (!Buffer.isBuffer(req.body)) throw badRequest("Send multipart/form-data, as the LangSmith client does");
        const { operations, refused } = await readMultipart(req.body, type);
        return answerBatch(reply, await store(deps, req, keys.get(req)!, operations, reply, refused));
      });
    },
    { prefix: LANGSMITH_BASE },
  );
}

function objectBody(body: unknown, what: string): Record<string, unknown> {
  if (!isObj(body)) throw badRequest(`The body must be a JSON object: ${what}`);
  return body;
}

/** A batch: 202 with what was taken and why the rest was not, or 400 when nothing could be taken. */
function answerBatch(reply: FastifyReply, answer: Answer | null) {
  if (!answer) return reply;
  if (answer.accepted === 0 && answer.rejected > 0) {
    return reply.code(400).send({
      statusCode: 400,
      error: "Bad Request",
      message: `No run could be stored: ${answer.errors.map((e) => (e.id ? `${e.id}: ${e.error}` : e.error)).join("; ")}`,
    } satisfies ErrorBody);
  }
  return reply.code(202).send(answer);
}

/**
 * `post.<id>`, `patch.<id>` (the run), `post.<id>.inputs` … (its large fields), `attachment.<id>.<name>` and
 * `feedback.<id>` parts → operations. Node's own Fetch API reads the multipart body. A part that is not JSON refuses
 * its run only; attachments are recorded by name, type and size (their bytes are not kept); feedback is ignored.
 */
async function readMultipart(body: Buffer, contentType: string) {
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": contentType } }).formData();
  } catch {
    throw badRequest("The body is not valid multipart/form-data (check the boundary in Content-Type)");
  }
  const runs = new Map<string, { op: "post" | "patch"; run: Record<string, unknown> }>();
  const refused = new Map<string, string>();
  const entry = (op: "post" | "patch", id: string) => {
    const key = `${op}.${id}`;
    let found = runs.get(key);
    if (!found) runs.set(key, (found = { op, run: { id } }));
    return found.run;
  };
  for (const [name, value] of form.entries()) {
    const [kind, id, field, ...rest] = name.split(".");
    if (!id || rest.length > 0) continue;
    if (kind === "attachment" && field) {
      const run = runs.get(`post.${id}`)?.run ?? runs.get(`patch.${id}`)?.run;
      if (!run) continue;
      const list = Array.isArray(run.attachments) ? run.attachments : [];
      list.push(
        typeof value === "string"
          ? { name: field, type: "text/plain", size: Buffer.byteLength(value) }
          : { name: field, type: value.type, size: value.size },
      );
      run.attachments = list;
      continue;
    }
    if (kind !== "post" && kind !== "patch") continue;
    if (field && !MULTIPART_FIELDS.has(field)) continue;
    const text = typeof value === "string" ? value : await value.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      refused.set(id, `part ${name} is not JSON`);
      continue;
    }
    const run = entry(kind, id);
    if (field) run[field] = parsed;
    else if (isObj(parsed)) Object.assign(run, parsed, { id, ...pick(run, MULTIPART_FIELDS) });
    else refused.set(id, `part ${name} is not a JSON object`);
  }
  const operations = [...runs.values()].filter(({ run }) => !refused.has(String(run.id)));
  return { operations, refused };
}

const pick = (run: Record<string, unknown>, fields: Set<string>) =>
  Object.fromEntries(Object.entries(run).filter(([k]) => fields.has(k)));

/**
 * The operations mapped, completed from what is stored, and handed to ingest. Null when the answer was sent
 * (the month's span limit).
 */
async function store(
  deps: AppDeps,
  req: FastifyRequest,
  key: AuthenticatedKey,
  operations: LangSmithOperation[],
  reply: FastifyReply,
  refused = new Map<string, string>(),
): Promise<Answer | null> {
  const { stored, parents } = await storedState(deps, key.orgId, operations);
  const mapped = mapRuns(operations, stored, parents);
  const outcome = await ingest(apiKeyDeps(deps, req, key), key.orgId, mapped.items);
  if (outcome.exhausted && outcome.limit) {
    await sendLimitReached(reply, outcome.limit);
    return null;
  }
  return answerOf(mapped, outcome, refused);
}

/** Per LangSmith run: taken when all its items were; else its first reason. */
function answerOf(mapped: MappedRuns, outcome: IngestOutcome, refused: Map<string, string>): Answer {
  const errors = new Map<string, string>(refused);
  const unnamed: Answer["errors"] = [];
  for (const r of mapped.rejected) {
    if (r.id) errors.set(r.id, r.error);
    else unnamed.push(r);
  }
  const taken = new Set<string>();
  for (const result of outcome.results) {
    const id = mapped.sources[result.index]!;
    if (result.status === "error") {
      if (!errors.has(id)) errors.set(id, `${result.type ?? "item"} ${result.id ?? ""}: ${result.error}`);
    } else taken.add(id);
  }
  for (const id of errors.keys()) taken.delete(id);
  const all = [...[...errors].map(([id, error]) => ({ id, error })), ...unnamed];
  return { accepted: taken.size, rejected: all.length, errors: all.slice(0, MAX_ERRORS) };
}

/**
 * The spans already stored for the runs the request names (to complete updates that do not repeat them), and
 * which of those runs already have children stored (a chain that wraps other runs is an agent step).
 */
async function storedState(deps: AppDeps, orgId: string, operations: LangSmithOperation[]) {
  const stored = new Map<string, StoredSpan>();
  const parents = new Set<string>();
  const { runIds, traceIds } = namedIds(operations);
  if (runIds.length === 0) return { stored, parents };
  const db = deps.database.db;
  const rows = await db
    .select({
      id: spans.id,
      runId: spans.runId,
      parentId: spans.parentId,
      name: spans.name,
      kind: spans.kind,
      startedAt: spans.startedAt,
      attributes: spans.attributes,
    })
    .from(spans)
    .where(and(eq(spans.orgId, orgId), inArray(spans.id, runIds.map(spanIdOf))));
  for (const row of rows) {
    const id = row.id.replace(/^langsmith-/, "");
    stored.set(id, { ...row, id, startedAt: row.startedAt.toISOString(), attributes: row.attributes ?? {} });
  }
  const echosRuns = [...new Set([...traceIds.map(runIdOf), ...rows.map((r) => r.runId)])];
  const children = await db
    .selectDistinct({ parentId: spans.parentId })
    .from(spans)
    .where(and(eq(spans.orgId, orgId), inArray(spans.runId, echosRuns), inArray(spans.parentId, runIds.map(spanIdOf))));
  for (const { parentId } of children) if (parentId) parents.add(parentId.replace(/^langsmith-/, ""));
  return { stored, parents };
}
