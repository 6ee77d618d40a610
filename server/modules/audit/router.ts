import { z } from "zod";
import { ZAuditPage } from "@shared/schemas/audit.ts";
import { orgProcedure, parseSync, router } from "../../trpc/init.ts";
import { listAudit } from "./service.ts";

export const auditRouter = router({
  list: orgProcedure("admin")
    .input(
      z.object({ cursor: z.number().int().positive().nullish(), limit: z.number().int().min(1).max(200).default(50) }),
    )
    .output(parseSync(ZAuditPage))
    .query(({ ctx, input }) =>
      listAudit(ctx.deps, ctx.org.id, { before: input.cursor ?? undefined, limit: input.limit }),
    ),
});
