import { z } from "zod";

/** `z.flattenError` of a rejected input: messages for the whole input, and per top-level field. */
export const ZFlattenedIssues = z.object({
  formErrors: z.array(z.string()),
  fieldErrors: z.record(z.string(), z.array(z.string())),
});
export type FlattenedIssues = z.infer<typeof ZFlattenedIssues>;

/**
 * The body of every refused REST request: its HTTP status, the status's reason phrase and a readable message.
 * A request that failed validation also carries its zod issues, flattened.
 */
export const ZErrorBody = z.object({
  statusCode: z.number(),
  error: z.string(),
  message: z.string(),
  issues: ZFlattenedIssues.optional(),
});
export type ErrorBody = z.infer<typeof ZErrorBody>;
