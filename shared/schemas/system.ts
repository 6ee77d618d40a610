import { z } from "zod";

/** A server process heard from recently. */
export const ZServerInstance = z.object({
  id: z.string(),
  hostname: z.string(),
  version: z.string(),
  startedAt: z.string(),
  lastSeenAt: z.string(),
  stopped: z.boolean(),
});
export type ServerInstance = z.infer<typeof ZServerInstance>;
