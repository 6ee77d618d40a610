import { z } from "zod";
import { ZApplyModelPriceResult, ZModelPrice, ZSaveModelPriceInput } from "@shared/schemas/pricing.ts";
import { actorOf, orgProcedure, parseSync, router } from "../../trpc/init.ts";
import { applyModelPrice, deleteModelPrice, listModelPrices, saveModelPrice } from "./service.ts";

/** Settings → Models: everyone in the organisation sees its prices; admins and owners change them. */
export const modelPricesRouter = router({
  list: orgProcedure("viewer")
    .output(parseSync(z.array(ZModelPrice)))
    .query(({ ctx }) => listModelPrices(ctx.deps, ctx.org.id)),

  save: orgProcedure("admin")
    .input(ZSaveModelPriceInput)
    .output(parseSync(ZModelPrice))
    .mutation(({ ctx, input }) => saveModelPrice(ctx.deps, actorOf(ctx), ctx.org.id, input)),

  delete: orgProcedure("admin")
    .input(z.object({ id: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      await deleteModelPrice(ctx.deps, actorOf(ctx), ctx.org.id, input.id);
      return { ok: true };
    }),

  applyToPast: orgProcedure("admin")
    .input(z.object({ id: z.uuid() }))
    .output(parseSync(ZApplyModelPriceResult))
    .mutation(({ ctx, input }) => applyModelPrice(ctx.deps, actorOf(ctx), ctx.org.id, input.id)),
});
