import { z } from "zod";
import { ZUserOrg } from "./orgs.ts";

export const ZAuthUser = z.object({ id: z.string(), email: z.string(), name: z.string() });
export type AuthUser = z.infer<typeof ZAuthUser>;

/** Who is signed in, their current organisation and all of theirs. */
export const ZMe = z.object({ user: ZAuthUser, activeOrgId: z.string().nullable(), orgs: z.array(ZUserOrg) });
export type Me = z.infer<typeof ZMe>;

export const ZSignedIn = z.object({ user: ZAuthUser });
export type SignedIn = z.infer<typeof ZSignedIn>;

/** One of the user's sessions (the token itself is never stored); `current` marks this one. */
export const ZUserSession = z.object({
  id: z.string(),
  createdAt: z.date(),
  lastUsedAt: z.date(),
  expiresAt: z.date(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  current: z.boolean(),
});
export type UserSession = z.infer<typeof ZUserSession>;
