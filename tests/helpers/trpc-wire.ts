import { z } from "zod";
import { ZMe } from "@shared/schemas/auth.ts";
import { ZFlattenedIssues } from "@shared/schemas/errors.ts";
import { ZUserOrg } from "@shared/schemas/orgs.ts";

/** tRPC over plain HTTP, as a test calls it without a client: what its answers look like on the wire. */

/** A query's or mutation's answer: `{ result: { data } }`. */
export const trpcResult = <T extends z.ZodType>(data: T) => z.object({ result: z.object({ data }) });

/** An error, as the server's `errorFormatter` shapes it. */
export const ZTrpcError = z.object({
  error: z.object({
    message: z.string(),
    code: z.number(),
    data: z.object({
      code: z.string(),
      httpStatus: z.number(),
      path: z.string().optional(),
      zodError: ZFlattenedIssues.nullable(),
    }),
  }),
});

/** `auth.me` as JSON carries it: without a transformer the organisations' dates arrive as ISO strings. */
export const ZMeOverHttp = ZMe.extend({ orgs: z.array(ZUserOrg.extend({ createdAt: z.string() })) });
