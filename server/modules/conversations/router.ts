import { z } from "zod";
import { ZConversationDetail, ZConversationPage, ZSummaryWritten } from "@shared/schemas/conversations.ts";
import { recordId } from "@shared/schemas/ids.ts";
import { orgProcedure, parseSync, router } from "../../trpc/init.ts";
import { getConversation, listConversations, writeSummary } from "./service.ts";

const ZConversationId = recordId(200);

export const conversationsRouter = router({
  list: orgProcedure("viewer")
    .input(
      z.object({
        cursor: z.string().max(300).nullish(),
        limit: z.number().int().min(1).max(200).default(50),
        q: z.string().max(200).optional(),
      }),
    )
    .output(parseSync(ZConversationPage))
    .query(({ ctx, input }) => listConversations(ctx.deps, ctx.org.id, input)),

  get: orgProcedure("viewer")
    .input(z.object({ conversationId: ZConversationId }))
    .output(parseSync(ZConversationDetail))
    .query(({ ctx, input }) => getConversation(ctx.deps, ctx.org.id, input.conversationId)),

  /** Writes the summary now instead of waiting for the conversation to go quiet. */
  summarize: orgProcedure("member")
    .input(z.object({ conversationId: ZConversationId }))
    .output(parseSync(ZSummaryWritten))
    .mutation(async ({ ctx, input }) => {
      await getConversation(ctx.deps, ctx.org.id, input.conversationId);
      return writeSummary(ctx.deps, ctx.org.id, input.conversationId);
    }),
});
