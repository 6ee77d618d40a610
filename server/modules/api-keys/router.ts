import { z } from "zod";
import { ZCreateApiKeyInput } from "../../../shared/schemas/identity.ts";
import { forbidden } from "../../lib/errors.ts";
import { orgProcedure, router } from "../../trpc/init.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "./service.ts";

export const apiKeysRouter = router({
  list: orgProcedure("viewer").query(({ ctx }) => listApiKeys(ctx.deps, ctx.org.id)),

  /** Members may create ingest-only keys; full keys (which can read) need an admin. */
  create: orgProcedure("member")
    .input(ZCreateApiKeyInput)
    .mutation(async ({ ctx, input }) => {
      if (input.scope === "full" && ctx.org.role === "member")
        throw forbidden("Members can create ingest-only keys; full keys need an admin");
      return createApiKey(
        ctx.deps,
        { userId: ctx.session.userId, email: ctx.session.email, ip: ctx.ip },
        ctx.org.id,
        input,
      );
    }),

  revoke: orgProcedure("admin")
    .input(z.object({ keyId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      revokeApiKey(
        ctx.deps,
        { userId: ctx.session.userId, email: ctx.session.email, ip: ctx.ip },
        ctx.org.id,
        input.keyId,
      ),
    ),
});
