import { z } from "zod";
import { ZMe, ZSignedIn, ZUserSession } from "@shared/schemas/auth.ts";
import { ZLoginInput, ZSignUpInput } from "@shared/schemas/identity.ts";
import { notFound } from "../../lib/errors.ts";
import { authedProcedure, parseSync, publicProcedure, router } from "../../trpc/init.ts";
import { listUserOrgs } from "../orgs/service.ts";
import { invalidateSession, listUserSessions } from "../sessions/service.ts";
import { login, signUp } from "./service.ts";

export const authRouter = router({
  /** Who is signed in (null when nobody), with their organisations: the dashboard's first call. */
  me: publicProcedure
    .input(z.void())
    .output(parseSync(ZMe.nullable()))
    .query(async ({ ctx }) => {
      if (!ctx.session) return null;
      const s = ctx.session;
      return {
        user: { id: s.userId, email: s.email, name: s.name },
        activeOrgId: s.activeOrgId,
        orgs: await listUserOrgs(ctx.deps, s.userId),
      };
    }),

  signUp: publicProcedure
    .input(ZSignUpInput)
    .output(parseSync(ZSignedIn))
    .mutation(async ({ ctx, input }) => {
      const result = await signUp(ctx.deps, input, { ip: ctx.ip, userAgent: ctx.userAgent });
      ctx.cookies.setSession(result.token, result.expiresAt);
      return { user: result.user };
    }),

  login: publicProcedure
    .input(ZLoginInput)
    .output(parseSync(ZSignedIn))
    .mutation(async ({ ctx, input }) => {
      const result = await login(ctx.deps, input, { ip: ctx.ip, userAgent: ctx.userAgent });
      ctx.cookies.setSession(result.token, result.expiresAt);
      return { user: result.user };
    }),

  logout: authedProcedure.input(z.void()).mutation(async ({ ctx }) => {
    await invalidateSession(ctx.deps, ctx.session.sessionId);
    ctx.cookies.clearSession();
    return { ok: true };
  }),

  sessions: authedProcedure
    .input(z.void())
    .output(parseSync(z.array(ZUserSession)))
    .query(async ({ ctx }) => {
      const rows = await listUserSessions(ctx.deps, ctx.session.userId);
      return rows.map((r) => ({ ...r, current: r.id === ctx.session.sessionId }));
    }),

  revokeSession: authedProcedure
    .input(z.object({ sessionId: z.string().length(64) }))
    .mutation(async ({ ctx, input }) => {
      const mine = await listUserSessions(ctx.deps, ctx.session.userId);
      if (!mine.some((s) => s.id === input.sessionId)) throw notFound("No such session");
      await invalidateSession(ctx.deps, input.sessionId);
      if (input.sessionId === ctx.session.sessionId) ctx.cookies.clearSession();
      return { ok: true };
    }),
});
