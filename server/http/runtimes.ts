import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { ErrorBody } from "@shared/schemas/errors.ts";
import { type JobResultAccepted, ZRuntimeConnectQuery, ZRuntimeJobResult } from "@shared/schemas/runtimes.ts";
import type { AppDeps } from "../deps.ts";
import { forbidden } from "../lib/errors.ts";
import { serveRuntimeStream } from "../modules/runtimes/connection.ts";
import { acceptJobResult } from "../modules/runtimes/service.ts";
import { apiKeyDeps } from "./request-deps.ts";
import { presentedKey, requireApiKey } from "./require-api-key.ts";

/** Runtimes run the organisation's jobs, so they need a full key; ingest-only keys only send data. */
async function requireRuntimeKey(deps: AppDeps, req: FastifyRequest) {
  const key = await requireApiKey(deps, req, "ingest");
  if (key.scope !== "full")
    throw forbidden("This API key is ingest-only and cannot connect a runtime; create a full key for runtimes");
  return { ...key, secret: presentedKey(req)! };
}

/**
 * Connected SDK runtimes: `GET /api/v1/runtimes/connect` holds a server-sent-event stream on which jobs arrive;
 * `POST /api/v1/runtimes/jobs/:jobId/result` answers one, on any instance.
 */
export function registerRuntimeRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get("/api/v1/runtimes/connect", async (req, reply) => {
    const key = await requireRuntimeKey(deps, req);
    const query = ZRuntimeConnectQuery.parse(req.query ?? {});
    const scoped = apiKeyDeps(deps, req, key);
    reply.hijack();
    try {
      await serveRuntimeStream(scoped, key, query, reply.raw);
    } catch (error) {
      scoped.log.error("Runtime stream failed", { error });
      if (!reply.raw.headersSent) reply.raw.writeHead(500, { "content-type": "application/json" });
      reply.raw.end(
        JSON.stringify({
          statusCode: 500,
          error: "Internal Server Error",
          message: "Stream failed",
        } satisfies ErrorBody),
      );
    }
  });

  app.post("/api/v1/runtimes/jobs/:jobId/result", async (req, reply) => {
    const key = await requireRuntimeKey(deps, req);
    const { jobId } = z.object({ jobId: z.uuid("Not a job id") }).parse(req.params);
    const result = ZRuntimeJobResult.parse(req.body ?? {});
    await acceptJobResult(apiKeyDeps(deps, req, key), key.orgId, jobId, result);
    return reply.code(202).send({ accepted: true } satisfies JobResultAccepted);
  });
}
