import { z } from "zod";

/** A provider credential as shown: masked, never the key itself. */
export const ZProviderCredential = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.string(),
  baseUrl: z.string(),
  masked: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ProviderCredential = z.infer<typeof ZProviderCredential>;
