import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { type ReplayAccepted, ZSpanReplayInput, ZWorkflowReplayInput } from "@shared/schemas/replay.ts";
import { ZRecordId } from "@shared/schemas/ids.ts";
import type { RunRecording } from "@shared/schemas/workflows.ts";
import type { AppDeps } from "../deps.ts";
import { getReplayResult } from "../modules/replay/queries.ts";
import { loadWorkflowRecording, snapshotOf } from "../modules/replay/recording.ts";
import { startReplay } from "../modules/replay/start.ts";
import { followReplay } from "../modules/replay/stream.ts";
import { apiKeyDeps } from "./request-deps.ts";
import { requireApiKey } from "./require-api-key.ts";

const ZRunParams = z.object({ runId: ZRecordId });
const ZReplayParams = z.object({ replayId: ZRecordId });
/** The run comes from the path; `mode` defaults to a workflow replay. */
const ZStartBody = z.union([
  ZWorkflowReplayInput.omit({ runId: true, mode: true }).extend({ mode: z.literal("workflow").default("workflow") }),
  ZSpanReplayInput.omit({ runId: true }),
]);
const ZStartQuery = z.object({ wait: z.enum(["true", "false"]).optional() });
/** Long enough for a replay of real model calls; a script that needs longer polls `GET /api/v1/replays/:id`. */
const WAIT_LIMIT_MS = 120_000;

/**
 * Time travel for scripts, with a full-scope API key: the recording a local `runtime.replay()` starts from, starting
 * a replay on the server (optionally waiting for it), and reading its result.
 */
export function registerReplayRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get("/api/v1/runs/:runId/recording", async (req) => {
    const key = await requireApiKey(deps, req, "read");
    const { runId } = ZRunParams.parse(req.params);
    const scoped = apiKeyDeps(deps, req, key);
    const { run, definition, steps } = await loadWorkflowRecording(scoped, key.orgId, runId);
    return {
      run: {
        id: run.id,
        name: run.name,
        status: run.status,
        input: run.input,
        workflowVersionId: run.workflowVersionId,
      },
      definition,
      steps: Object.fromEntries([...steps].map(([stepId, span]) => [stepId, snapshotOf(span)])),
    } satisfies RunRecording;
  });

  app.post("/api/v1/runs/:runId/replays", async (req, reply) => {
    const key = await requireApiKey(deps, req, "read");
    const { runId } = ZRunParams.parse(req.params);
    const body = ZStartBody.parse(req.body ?? {});
    const { wait } = ZStartQuery.parse(req.query);
    const scoped = apiKeyDeps(deps, req, key);
    const { replayId } = await startReplay(
      scoped,
      key.orgId,
      { apiKeyId: key.id },
      { ...body, runId },
      req.auth?.credentials ?? new Map(),
    );
    if (wait !== "true")
      return reply
        .code(202)
        .send({ replayId, status: "running", result: `/api/v1/replays/${replayId}` } satisfies ReplayAccepted);
    const timeout = AbortSignal.timeout(WAIT_LIMIT_MS);
    for await (const { event } of followReplay(scoped, key.orgId, replayId, null, timeout))
      if (event.type === "finished") break;
    return reply.code(200).send(await getReplayResult(scoped, key.orgId, replayId));
  });

  app.get("/api/v1/replays/:replayId", async (req) => {
    const key = await requireApiKey(deps, req, "read");
    const { replayId } = ZReplayParams.parse(req.params);
    return getReplayResult(apiKeyDeps(deps, req, key), key.orgId, replayId);
  });
}
