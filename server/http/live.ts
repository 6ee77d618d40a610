import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppDeps } from "../deps.ts";
import { badRequest, unauthorized } from "../lib/errors.ts";
import { ZLastEventId } from "../modules/live/follow.ts";
import { openEventStream } from "../modules/live/sse.ts";
import { requireRole } from "../modules/orgs/service.ts";
import { followRuns, runsLiveMessages } from "../modules/runs/events.ts";

const ZInput = z.object({
  orgId: z.uuid("orgId must be an organisation id"),
  lastEventId: ZLastEventId,
});

function parseJson(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw badRequest("input must be JSON");
  }
}

/**
 * `runs.live` — every dashboard's Runs view — served outside tRPC's subscription machinery, in tRPC's SSE wire
 * format, so the browser's `httpSubscriptionLink` is unchanged. Through tRPC each event costs every subscriber a
 * chain of web streams, timers and its own JSON serialisation (bench:live measured ~0.4 ms of CPU per event per
 * subscriber); here each entry of the log is serialised once and written to every connected response. Access,
 * following and the messages sent are the procedure's (`runs.live` in modules/runs/router.ts).
 */
export function registerLiveRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get("/trpc/runs.live", async (req, reply) => {
    const query = req.query as { input?: string; lastEventId?: string };
    const input = ZInput.parse(parseJson(query.input));
    const session = req.auth?.session;
    if (!session) throw unauthorized("Sign in to continue");
    await requireRole(deps, input.orgId, session.userId, "viewer");
    // EventSource sends the last id it saw as a header when it reconnects by itself.
    const header = req.headers["last-event-id"];
    const lastEventId = (typeof header === "string" && header) || query.lastEventId || input.lastEventId || null;

    reply.hijack();
    const stream = openEventStream(reply.raw, deps);
    try {
      await followRuns(deps, input.orgId, lastEventId, stream.signal).forEach(({ id, batch }) => {
        for (const message of runsLiveMessages(id, batch)) stream.write(message.frame);
      });
      stream.end();
    } catch (error) {
      // The browser reconnects from its last event id; nothing is lost by dropping the connection.
      deps.log.warn("Live stream failed", { route: "/trpc/runs.live", error });
      reply.raw.destroy();
    }
  });
}
