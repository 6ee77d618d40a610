import { z } from "zod";

/**
 * The body of every refused REST request: its HTTP status, the status's reason phrase and a readable message.
 * A request that failed validation also carries its zod issues, flattened.
 */
export const ZErrorBody = z.object({
  statusCode: z.number(),
  error: z.string(),
  message: z.string(),
  issues: z
    .object({ formErrors: z.array(z.string()), fieldErrors: z.record(z.string(), z.array(z.string())) })
    .optional(),
});
export type ErrorBody = z.infer<typeof ZErrorBody>;
