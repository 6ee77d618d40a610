import { z } from "zod";
import { recordId } from "./ids.ts";

/** A workflow version id, `<name>@<hash prefix>` (names run up to 200 characters). */
export const ZWorkflowVersionId = recordId(300);

/** One version of a workflow, with what its production runs (replays left out) did. */
export const ZWorkflowVersionSummary = z.object({
  id: ZWorkflowVersionId,
  /** The content hash: the full SHA-256 when the version was registered, else the prefix its runs carry. */
  hash: z.string(),
  /** Whether Echos holds the definition (registered by the SDK), so it can be shown and replayed. */
  registered: z.boolean(),
  stepCount: z.number().nullable(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  runs: z.number(),
  errors: z.number(),
  lastRunAt: z.string().nullable(),
});
export type WorkflowVersionSummary = z.infer<typeof ZWorkflowVersionSummary>;

export const ZWorkflowSummary = z.object({
  name: z.string(),
  runs: z.number(),
  errors: z.number(),
  lastRunAt: z.string().nullable(),
  /** Newest first (by when they were last seen). */
  versions: z.array(ZWorkflowVersionSummary),
});
export type WorkflowSummary = z.infer<typeof ZWorkflowSummary>;

export const ZWorkflowList = z.object({ workflows: z.array(ZWorkflowSummary) });
export type WorkflowList = z.infer<typeof ZWorkflowList>;
