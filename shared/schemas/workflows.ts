import { z } from "zod";
import { ZWorkflowDefinition } from "../workflow/define.ts";
import { ZStepSnapshot } from "./replay.ts";
import { ZRunStatus } from "./runs.ts";

/** Workflow versions over REST, and the recording of a workflow run that a local `runtime.replay()` starts from. */

/** `POST /api/v1/workflows`: 201 and `created` for a new version, 200 for one already registered. */
export const ZRegisteredWorkflowVersion = z.object({ id: z.string(), hash: z.string(), created: z.boolean() });
export type RegisteredWorkflowVersion = z.infer<typeof ZRegisteredWorkflowVersion>;

/** `GET /api/v1/workflows/versions/:id`: the definition as stored. */
export const ZWorkflowVersion = z.object({
  id: z.string(),
  hash: z.string(),
  definition: z.unknown(),
  createdAt: z.string(),
});
export type WorkflowVersion = z.infer<typeof ZWorkflowVersion>;

/** `GET /api/v1/runs/:id/recording`: the run, the definition it ran, and each step's recorded outcome by step id. */
export const ZRunRecording = z.object({
  run: z.object({
    id: z.string(),
    name: z.string(),
    status: ZRunStatus,
    input: z.unknown(),
    workflowVersionId: z.string().nullable(),
  }),
  definition: ZWorkflowDefinition,
  steps: z.record(z.string(), ZStepSnapshot),
});
export type RunRecording = z.infer<typeof ZRunRecording>;
