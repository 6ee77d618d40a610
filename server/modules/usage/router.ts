import { ZUpdateLimitsInput, ZUsageReport } from "@shared/schemas/usage.ts";
import { actorOf, orgProcedure, parseSync, router } from "../../trpc/init.ts";
import { updateLimits, usageReport } from "./service.ts";

export const usageRouter = router({
  /** This month's usage against the limits, day by day. */
  get: orgProcedure("viewer")
    .output(parseSync(ZUsageReport))
    .query(({ ctx }) => usageReport(ctx.deps, ctx.org.id)),

  updateLimits: orgProcedure("owner")
    .input(ZUpdateLimitsInput)
    .output(parseSync(ZUsageReport))
    .mutation(async ({ ctx, input }) => {
      await updateLimits(ctx.deps, actorOf(ctx), ctx.org.id, input);
      return usageReport(ctx.deps, ctx.org.id);
    }),
});
