import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { ZRunFilters, ZRunOrder } from "@shared/schemas/runs.ts";
import type { AppDeps } from "../deps.ts";
import { unauthorized } from "../lib/errors.ts";
import { requireRole } from "../modules/orgs/service.ts";
import { exportRuns } from "../modules/runs/export.ts";
import { requestDeps } from "./request-deps.ts";

const ZExportQuery = ZRunFilters.extend(ZRunOrder.shape).extend({
  orgId: z.uuid("orgId must be an organisation id"),
  format: z.enum(["csv", "jsonl"], { error: "format must be csv or jsonl" }).default("csv"),
});

const CONTENT_TYPES = { csv: "text/csv; charset=utf-8", jsonl: "application/x-ndjson; charset=utf-8" } as const;

/**
 * The Runs list as a download: the same filters and order as `runs.list`, for a signed-in member of the
 * organisation (a plain link from the dashboard, so the session cookie authenticates it).
 */
export function registerRunsExportRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get("/api/runs/export", async (req, reply) => {
    const session = req.auth?.session;
    if (!session) throw unauthorized("Sign in to export runs");
    const { orgId, format, ...input } = ZExportQuery.parse(req.query);
    await requireRole(deps, orgId, session.userId, "viewer");
    const rows = exportRuns(requestDeps(deps, req, orgId), orgId, input, format);
    // The first page is read before the response starts, so a failure there is still an error response, not a
    // truncated file.
    const first = await rows.next();
    async function* body() {
      if (!first.done) yield first.value;
      yield* rows;
    }
    const date = new Date().toISOString().slice(0, 10);
    return reply
      .header("content-type", CONTENT_TYPES[format])
      .header("content-disposition", `attachment; filename="echos-runs-${date}.${format}"`)
      .header("cache-control", "no-store")
      .send(Readable.from(body()));
  });
}
