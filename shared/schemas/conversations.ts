import { z } from "zod";
import { ZConversationSummary, ZRunSummary, ZTranscriptMessage } from "./runs.ts";

/** What the Conversations views read; the shapes of one conversation live beside runs in runs.ts. */

export const ZConversationPage = z.object({
  items: z.array(ZConversationSummary),
  nextCursor: z.string().nullable(),
});
export type ConversationPage = z.infer<typeof ZConversationPage>;

export const ZConversationDetail = z.object({
  conversation: ZConversationSummary,
  runs: z.array(ZRunSummary),
  transcript: z.array(ZTranscriptMessage),
});
export type ConversationDetail = z.infer<typeof ZConversationDetail>;

/** How a summary was written: by the LLM, or extracted (with why the LLM was not used, when it failed). */
export const ZSummaryWritten = z.object({ source: z.enum(["llm", "extractive"]), error: z.string().nullable() });
export type SummaryWritten = z.infer<typeof ZSummaryWritten>;
