import { z } from "zod";
import { ZRole } from "./identity.ts";

/** Organisations, their members and invitations. Dates stay `Date` here; JSON carries them as ISO strings. */

/** One of the signed-in user's organisations, with their role in it. */
export const ZUserOrg = z.object({ id: z.string(), name: z.string(), role: ZRole, createdAt: z.date() });
export type UserOrg = z.infer<typeof ZUserOrg>;

export const ZCreatedOrg = z.object({ id: z.string(), name: z.string(), role: z.literal("owner") });
export type CreatedOrg = z.infer<typeof ZCreatedOrg>;

export const ZActiveOrg = z.object({ activeOrgId: z.string() });
export type ActiveOrg = z.infer<typeof ZActiveOrg>;

export const ZMember = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: ZRole,
  joinedAt: z.date(),
});
export type Member = z.infer<typeof ZMember>;

export const ZPendingInvite = z.object({
  id: z.string(),
  email: z.string(),
  role: ZRole,
  expiresAt: z.date(),
  createdAt: z.date(),
});
export type PendingInvite = z.infer<typeof ZPendingInvite>;

export const ZSentInvite = z.object({ id: z.string(), email: z.string(), role: ZRole, expiresAt: z.date() });
export type SentInvite = z.infer<typeof ZSentInvite>;

/** What an invitation link leads to, before it is accepted. */
export const ZInviteDetails = z.object({
  orgName: z.string(),
  email: z.string(),
  role: ZRole,
  expiresAt: z.date(),
  invitedBy: z.string().nullable(),
});
export type InviteDetails = z.infer<typeof ZInviteDetails>;

export const ZJoinedOrg = z.object({ orgId: z.string(), orgName: z.string(), role: ZRole });
export type JoinedOrg = z.infer<typeof ZJoinedOrg>;
