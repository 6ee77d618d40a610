import { z } from "zod";

/** An API key as lists show it: never the secret, only its prefix. */
export const ZApiKey = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scope: z.enum(["ingest", "full"]),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKey = z.infer<typeof ZApiKey>;

/** A key just created: the only time its secret is shown. */
export const ZCreatedApiKey = ZApiKey.extend({ key: z.string() });
export type CreatedApiKey = z.infer<typeof ZCreatedApiKey>;
