import { z } from "zod";
import { ZWorkflowList, ZWorkflowVersionId } from "@shared/schemas/workflow-catalog.ts";
import { ZWorkflowVersion } from "@shared/schemas/workflows.ts";
import { notFound } from "../../lib/errors.ts";
import { orgProcedure, parseSync, router } from "../../trpc/init.ts";
import { listWorkflows } from "./list.ts";
import { getWorkflowVersion } from "./service.ts";

export const workflowsRouter = router({
  /** Workflows with their versions and what their production runs did. */
  list: orgProcedure("viewer")
    .output(parseSync(ZWorkflowList))
    .query(({ ctx }) => listWorkflows(ctx.deps, ctx.org.id)),

  /** One registered version's definition. */
  version: orgProcedure("viewer")
    .input(z.object({ id: ZWorkflowVersionId }))
    .output(parseSync(ZWorkflowVersion))
    .query(async ({ ctx, input }) => {
      const version = await getWorkflowVersion(ctx.deps, ctx.org.id, input.id);
      if (!version) throw notFound("Workflow version not found");
      return version;
    }),
});
