import { ZRemovedSampleData, ZSampleDataStatus } from "@shared/schemas/sample-data.ts";
import { actorOf, orgProcedure, parseSync, router } from "../../trpc/init.ts";
import { loadSampleData, removeSampleData, sampleDataStatus } from "./service.ts";

export const sampleDataRouter = router({
  status: orgProcedure("viewer")
    .output(parseSync(ZSampleDataStatus))
    .query(({ ctx }) => sampleDataStatus(ctx.deps, ctx.org.id)),

  load: orgProcedure("admin")
    .output(parseSync(ZSampleDataStatus))
    .mutation(({ ctx }) => loadSampleData(ctx.deps, actorOf(ctx), ctx.org.id)),

  remove: orgProcedure("admin")
    .output(parseSync(ZRemovedSampleData))
    .mutation(({ ctx }) => removeSampleData(ctx.deps, actorOf(ctx), ctx.org.id)),
});
