import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { recordId } from "@shared/schemas/ids.ts";
import type { RegisteredWorkflowVersion, WorkflowVersion } from "@shared/schemas/workflows.ts";
import type { AppDeps } from "../deps.ts";
import { notFound } from "../lib/errors.ts";
import { getWorkflowVersion, registerWorkflowVersion } from "../modules/workflows/service.ts";
import { apiKeyDeps } from "./request-deps.ts";
import { requireApiKey } from "./require-api-key.ts";

const ZRegister = z.object({
  name: z.string().min(1).max(200),
  hash: z.string().regex(/^[0-9a-f]{64}$/, "hash must be 64 hex characters"),
  definition: z.unknown(),
});

/** Workflow versions registered by SDK runtimes, so the server can replay their runs later. */
export function registerWorkflowRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post("/api/v1/workflows", async (req, reply) => {
    const key = await requireApiKey(deps, req, "ingest");
    const scoped = apiKeyDeps(deps, req, key);
    const version = await registerWorkflowVersion(scoped, key.orgId, ZRegister.parse(req.body ?? {}));
    return reply.code(version.created ? 201 : 200).send(version satisfies RegisteredWorkflowVersion);
  });

  app.get("/api/v1/workflows/versions/:id", async (req) => {
    const key = await requireApiKey(deps, req, "read");
    const { id } = z.object({ id: recordId(300) }).parse(req.params);
    const version = await getWorkflowVersion(apiKeyDeps(deps, req, key), key.orgId, id);
    if (!version) throw notFound(`No workflow version ${id}`);
    return version satisfies WorkflowVersion;
  });
}
