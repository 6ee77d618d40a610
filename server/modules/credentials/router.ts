import { z } from "zod";
import { ZProviderCredential } from "@shared/schemas/credentials.ts";
import { ZSaveCredentialInput } from "@shared/schemas/identity.ts";
import { actorOf, orgProcedure, parseSync, router } from "../../trpc/init.ts";
import { deleteCredential, listCredentials, saveCredential } from "./service.ts";

export const credentialsRouter = router({
  list: orgProcedure("admin")
    .output(parseSync(z.array(ZProviderCredential)))
    .query(({ ctx }) => listCredentials(ctx.deps, ctx.org.id)),

  save: orgProcedure("admin")
    .input(ZSaveCredentialInput)
    .output(parseSync(ZProviderCredential))
    .mutation(({ ctx, input }) => saveCredential(ctx.deps, actorOf(ctx), ctx.org.id, input)),

  delete: orgProcedure("admin")
    .input(z.object({ id: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      await deleteCredential(ctx.deps, actorOf(ctx), ctx.org.id, input.id);
      return { ok: true };
    }),
});
