import { z } from "zod";
import { ZEmail, ZOrgName, ZRole } from "@shared/schemas/identity.ts";
import {
  ZActiveOrg,
  ZCreatedOrg,
  ZInviteDetails,
  ZJoinedOrg,
  ZMember,
  ZPendingInvite,
  ZSentInvite,
} from "@shared/schemas/orgs.ts";
import { normaliseEmail } from "../../lib/email-address.ts";
import { forbidden } from "../../lib/errors.ts";
import { actorOf, authedProcedure, orgProcedure, parseSync, publicProcedure, router } from "../../trpc/init.ts";
import { inviteEmail } from "../email/templates.ts";
import { queueEmailNow } from "../email/outbox.ts";
import { setActiveOrg } from "../sessions/service.ts";
import {
  acceptInvite,
  changeRole,
  createInvite,
  createOrg,
  findInvite,
  listMembers,
  listPendingInvites,
  removeMember,
  renameOrg,
  revokeInvite,
  roleOf,
} from "./service.ts";

export const orgsRouter = router({
  create: authedProcedure
    .input(z.object({ name: ZOrgName }))
    .output(parseSync(ZCreatedOrg))
    .mutation(({ ctx, input }) => createOrg(ctx.deps, actorOf(ctx), input.name)),

  /** Makes an organisation the session's current one (kept server-side, so every tab agrees). */
  switch: authedProcedure
    .input(z.object({ orgId: z.uuid() }))
    .output(parseSync(ZActiveOrg))
    .mutation(async ({ ctx, input }) => {
      if (!(await roleOf(ctx.deps, input.orgId, ctx.session.userId)))
        throw forbidden("You are not a member of this organisation");
      await setActiveOrg(ctx.deps, ctx.session.sessionId, input.orgId);
      return { activeOrgId: input.orgId };
    }),

  rename: orgProcedure("owner")
    .input(z.object({ name: ZOrgName }))
    .mutation(async ({ ctx, input }) => {
      await renameOrg(ctx.deps, actorOf(ctx), ctx.org.id, input.name);
      return { ok: true };
    }),

  members: orgProcedure("viewer")
    .output(parseSync(z.array(ZMember)))
    .query(({ ctx }) => listMembers(ctx.deps, ctx.org.id)),

  invites: orgProcedure("admin")
    .output(parseSync(z.array(ZPendingInvite)))
    .query(({ ctx }) => listPendingInvites(ctx.deps, ctx.org.id)),

  invite: orgProcedure("admin")
    .input(z.object({ email: ZEmail, role: ZRole.default("member") }))
    .output(parseSync(ZSentInvite))
    .mutation(async ({ ctx, input }) => {
      const email = normaliseEmail(input.email);
      const invite = await createInvite(
        ctx.deps,
        { ...actorOf(ctx), role: ctx.org.role },
        ctx.org.id,
        email,
        input.role,
      );
      await queueEmailNow(
        ctx.deps,
        inviteEmail(ctx.deps.config.publicUrl, {
          to: email,
          inviter: ctx.session.email,
          orgName: invite.orgName,
          token: invite.token,
          role: input.role,
          expiresAt: invite.expiresAt,
        }),
      );
      return { id: invite.id, email, role: input.role, expiresAt: invite.expiresAt };
    }),

  revokeInvite: orgProcedure("admin")
    .input(z.object({ inviteId: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      await revokeInvite(ctx.deps, ctx.org.id, input.inviteId);
      return { ok: true };
    }),

  changeRole: orgProcedure("admin")
    .input(z.object({ userId: z.uuid(), role: ZRole }))
    .mutation(async ({ ctx, input }) => {
      await changeRole(ctx.deps, { ...actorOf(ctx), role: ctx.org.role }, ctx.org.id, input.userId, input.role);
      return { ok: true };
    }),

  removeMember: orgProcedure("admin")
    .input(z.object({ userId: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      await removeMember(ctx.deps, { ...actorOf(ctx), role: ctx.org.role }, ctx.org.id, input.userId);
      return { ok: true };
    }),

  /** What an invitation link leads to, before accepting it. */
  inviteDetails: publicProcedure
    .input(z.object({ token: z.string().min(10).max(200) }))
    .output(parseSync(ZInviteDetails))
    .query(async ({ ctx, input }) => {
      const invite = await findInvite(ctx.deps, input.token);
      return {
        orgName: invite.orgName,
        email: invite.email,
        role: invite.role,
        expiresAt: invite.expiresAt,
        invitedBy: invite.inviterEmail,
      };
    }),

  acceptInvite: authedProcedure
    .input(z.object({ token: z.string().min(10).max(200) }))
    .output(parseSync(ZJoinedOrg))
    .mutation(async ({ ctx, input }) => {
      const joined = await acceptInvite(ctx.deps, actorOf(ctx), input.token);
      await setActiveOrg(ctx.deps, ctx.session.sessionId, joined.orgId);
      return joined;
    }),
});
