import { tracked } from "@trpc/server";
import { z } from "zod";
import {
  ZForkNode,
  ZRenameVariant,
  ZReplayInfo,
  ZReplayPlan,
  ZReplayRequest,
  ZReplayResult,
  ZReplayStarted,
  ZReplayToken,
  ZStreamToken,
} from "@shared/schemas/replay.ts";
import { ZRecordId } from "@shared/schemas/ids.ts";
import { orgProcedure, parseSync, router } from "../../trpc/init.ts";
import { loadRun } from "./recording.ts";
import { forkTree, getReplayInfo, getReplayResult, renameReplay, replayPlan } from "./queries.ts";
import { hasRuntimeFor } from "./runtimes.ts";
import { startReplay } from "./start.ts";
import { followReplay } from "./stream.ts";
import { issueStreamToken, redeemStreamToken } from "./tokens.ts";

const ZRunId = ZRecordId;

export const replaysRouter = router({
  /** The Test fix form: the run's steps (or LLM spans), their recorded outputs and default policies. */
  plan: orgProcedure("viewer")
    .input(z.object({ runId: ZRunId }))
    .output(parseSync(ZReplayPlan))
    .query(({ ctx, input }) => replayPlan(ctx.deps, ctx.org.id, input.runId, hasRuntimeFor(ctx.deps, ctx.org.id))),

  /** A stream token for one replay of this run (seed 000's flow): random, 5 minutes, this user and organisation. */
  token: orgProcedure("member")
    .input(z.object({ runId: ZRunId }))
    .output(parseSync(ZStreamToken))
    .mutation(async ({ ctx, input }) => {
      await loadRun(ctx.deps, ctx.org.id, input.runId);
      return issueStreamToken(ctx.deps, { userId: ctx.session.userId, orgId: ctx.org.id, runId: input.runId });
    }),

  /** Starts the replay the token was issued for; its events follow on `stream`. */
  start: orgProcedure("member")
    .input(z.object({ token: ZReplayToken, request: ZReplayRequest }))
    .output(parseSync(ZReplayStarted))
    .mutation(async ({ ctx, input }) => {
      await redeemStreamToken(ctx.deps, input.token, {
        userId: ctx.session.userId,
        orgId: ctx.org.id,
        runId: input.request.runId,
      });
      return startReplay(ctx.deps, ctx.org.id, { userId: ctx.session.userId }, input.request, ctx.credentials);
    }),

  /** The replay as it happens, from its first event (or after `lastEventId` on reconnect) to `finished`. */
  stream: orgProcedure("viewer")
    .input(z.object({ replayId: ZRunId, lastEventId: z.string().max(64).nullish() }))
    .subscription(async ({ ctx, input, signal }) => {
      // Checked before the stream starts: an unknown replay (or another organisation's) is a NOT_FOUND the caller
      // reads, where an error thrown once streaming has begun reaches the client as a server error.
      await getReplayInfo(ctx.deps, ctx.org.id, input.replayId);
      return (async function* () {
        for await (const { id, event } of followReplay(ctx.deps, ctx.org.id, input.replayId, input.lastEventId, signal))
          yield tracked(id, event);
      })();
    }),

  /** The replay beside its parent, step by step. */
  get: orgProcedure("viewer")
    .input(z.object({ replayId: ZRunId }))
    .output(parseSync(ZReplayResult))
    .query(({ ctx, input }) => getReplayResult(ctx.deps, ctx.org.id, input.replayId)),

  /** Gives a variant another name. */
  rename: orgProcedure("member")
    .input(ZRenameVariant)
    .output(parseSync(ZReplayInfo))
    .mutation(({ ctx, input }) => renameReplay(ctx.deps, ctx.org.id, input.replayId, input.label)),

  /** The fork tree the run belongs to. */
  forks: orgProcedure("viewer")
    .input(z.object({ runId: ZRunId }))
    .output(parseSync(z.array(ZForkNode)))
    .query(({ ctx, input }) => forkTree(ctx.deps, ctx.org.id, input.runId)),
});
