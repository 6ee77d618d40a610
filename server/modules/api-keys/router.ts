import { z } from "zod";
import { ZApiKey, ZCreatedApiKey } from "@shared/schemas/api-keys.ts";
import { ZCreateApiKeyInput } from "@shared/schemas/identity.ts";
import { actorOf, orgProcedure, parseSync, router } from "../../trpc/init.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "./service.ts";

export const apiKeysRouter = router({
  list: orgProcedure("viewer")
    .output(parseSync(z.array(ZApiKey)))
    .query(({ ctx }) => listApiKeys(ctx.deps, ctx.org.id)),

  create: orgProcedure("member")
    .input(ZCreateApiKeyInput)
    .output(parseSync(ZCreatedApiKey))
    .mutation(({ ctx, input }) => createApiKey(ctx.deps, { ...actorOf(ctx), role: ctx.org.role }, ctx.org.id, input)),

  revoke: orgProcedure("admin")
    .input(z.object({ keyId: z.uuid() }))
    .output(parseSync(ZApiKey))
    .mutation(({ ctx, input }) => revokeApiKey(ctx.deps, actorOf(ctx), ctx.org.id, input.keyId)),
});
