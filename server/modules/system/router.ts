import { tracked } from "@trpc/server";
import { EventEmitter, on } from "node:events";
import { z } from "zod";
import { ZHealthReport } from "@shared/schemas/health.ts";
import { ZServerInstance } from "@shared/schemas/system.ts";
import { authedProcedure, parseSync, publicProcedure, router } from "../../trpc/init.ts";
import { getHealthReport } from "./health.ts";
import { listRecentInstances } from "./instances.ts";

const STATUS_INTERVAL_MS = 5_000;

export const systemRouter = router({
  health: publicProcedure
    .input(z.void())
    .output(parseSync(ZHealthReport))
    .query(({ ctx }) => getHealthReport(ctx.deps)),

  /** Instance ids, host names and versions describe the deployment: for signed-in users, not for anyone. */
  instances: authedProcedure
    .input(z.void())
    .output(parseSync(z.array(ZServerInstance)))
    .query(({ ctx }) => listRecentInstances(ctx.deps)),

  /**
   * This instance's health, pushed at once, whenever a dependency changes state, and every few seconds.
   * Each event's id is its timestamp, so a reconnecting client simply receives the current state.
   */
  status: publicProcedure
    .input(z.object({ lastEventId: z.string().nullish() }).optional())
    .subscription(async function* ({ ctx, signal }) {
      const { deps } = ctx;
      const stop = AbortSignal.any([deps.lifecycle.signal, ...(signal ? [signal] : [])]);
      const wake = new EventEmitter();
      const offHealth = deps.store.onHealthChange(() => wake.emit("tick"));
      const timer = setInterval(() => wake.emit("tick"), STATUS_INTERVAL_MS);
      try {
        const report = await getHealthReport(deps);
        yield tracked(report.timestamp, report);
        for await (const _ of on(wake, "tick", { signal: stop })) {
          const next = await getHealthReport(deps);
          yield tracked(next.timestamp, next);
        }
      } catch (error) {
        if (!stop.aborted) throw error;
      } finally {
        clearInterval(timer);
        offHealth();
      }
    }),
});
