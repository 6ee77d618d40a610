import { z } from "zod";
import { ROLES } from "../roles.ts";

export const ZEmail = z.email("Enter a valid email address").max(254);
export const ZPassword = z
  .string()
  .min(8, "Passwords need at least 8 characters")
  .max(128, "Passwords can be at most 128 characters");
export const ZRole = z.enum(ROLES);

export const ZSignUpInput = z.object({
  email: ZEmail,
  password: ZPassword,
  name: z.string().trim().max(100).optional(),
  inviteToken: z.string().min(10).max(200).optional(),
});
export const ZLoginInput = z.object({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(128) });

export const ZOrgName = z.string().trim().min(1, "Give the organisation a name").max(100);

export const ZCreateApiKeyInput = z.object({
  name: z.string().trim().min(1, "Give the key a name").max(100),
  scope: z.enum(["ingest", "full"]).default("ingest"),
  expiresInDays: z.number().int().min(1).max(3650).nullish(),
});
export type CreateApiKeyInput = z.infer<typeof ZCreateApiKeyInput>;

export const ZSaveCredentialInput = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[A-Z][A-Z0-9_]{1,63}$/, "Use an UPPER_SNAKE_CASE name such as OPENAI_API_KEY"),
  provider: z.string().trim().min(1).max(50).default("openai-compatible"),
  baseUrl: z.url({ protocol: /^https?$/, error: "Base URL must be an http(s) URL" }).max(500),
  apiKey: z.string().min(1, "Paste the provider's API key").max(2000),
});
