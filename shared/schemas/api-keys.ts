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

/** `POST /api/keys` (the sandbox guide's shape): the new key, its secret shown this once. */
export const ZApiKeyCreatedResponse = z.object({
  success: z.literal(true),
  apiKey: ZCreatedApiKey.pick({
    id: true,
    key: true,
    prefix: true,
    name: true,
    scope: true,
    createdAt: true,
    expiresAt: true,
  }),
});
export type ApiKeyCreatedResponse = z.infer<typeof ZApiKeyCreatedResponse>;

/** `GET /api/keys`: the organisation's keys, newest first. */
export const ZApiKeyListResponse = z.object({ success: z.literal(true), apiKeys: z.array(ZApiKey) });
export type ApiKeyListResponse = z.infer<typeof ZApiKeyListResponse>;

/** `DELETE /api/keys/:id`: the key as it is now, revoked. */
export const ZApiKeyRevokedResponse = z.object({ success: z.literal(true), apiKey: ZApiKey });
export type ApiKeyRevokedResponse = z.infer<typeof ZApiKeyRevokedResponse>;

/** `GET /api/v1/whoami`: the organisation and the key an SDK talks as. */
export const ZWhoAmI = z.object({ orgId: z.string(), key: ZApiKey.pick({ id: true, name: true, scope: true }) });
export type WhoAmI = z.infer<typeof ZWhoAmI>;
