import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { RunsEvent } from "../../shared/schemas/runs.ts";
import type { AppDeps } from "../deps.ts";
import { compareStreamIds } from "../infra/store/index.ts";
import { badRequest, unauthorized } from "../lib/errors.ts";
import { requireRole } from "../modules/orgs/service.ts";
import { type LiveEntry, RESUME_LIMIT, hubOf, runsStream, sseFrame } from "../modules/runs/events.ts";

const PING_MS = 15_000;
const RECONNECT_AFTER_INACTIVITY_MS = 20_000;
/** A browser this far behind (a frozen tab on a slow link) is disconnected; it resumes from the log on return. */
const MAX_UNSENT_BYTES = 4 * 1024 * 1024;

const ZInput = z.object({
  orgId: z.uuid("orgId must be an organisation id"),
  lastEventId: z.string().max(64).nullish(),
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
 * subscriber); here an entry of the log is serialised once and written to every connected response. Access and
 * resume rules are the procedure's (`runs.live` in modules/runs/router.ts, which tRPC callers still use).
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
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    deps.metrics.liveConnections.inc();
    res.once("close", () => deps.metrics.liveConnections.dec());
    res.write(
      `event: connected\ndata: ${JSON.stringify({ reconnectAfterInactivityMs: RECONNECT_AFTER_INACTIVITY_MS })}\n\n`,
    );

    const stream = runsStream(input.orgId);
    let last = "";
    let pending: LiveEntry[] | null = [];
    const send = (frame: string) => {
      if (res.writableLength > MAX_UNSENT_BYTES) res.destroy();
      else res.write(frame);
    };
    const off = await hubOf(deps.store).listen(stream, (entry) => {
      if (pending) pending.push(entry);
      else if (compareStreamIds(entry.id, last) > 0) {
        last = entry.id;
        send(entry.frame);
      }
    });
    const ping = setInterval(() => send("event: ping\ndata: \n\n"), PING_MS);
    const end = () => {
      if (!res.writableEnded) res.end("event: return\ndata: \n\n");
    };
    deps.lifecycle.signal.addEventListener("abort", end);
    res.once("close", () => {
      off();
      clearInterval(ping);
      deps.lifecycle.signal.removeEventListener("abort", end);
    });

    // Replay what the client missed, then hand over to the live entries gathered meanwhile, skipping repeats.
    const head = await deps.store.lastId(stream);
    last = lastEventId ?? head;
    if (lastEventId) {
      const { entries, complete } = await deps.store.readAfter(stream, lastEventId, RESUME_LIMIT);
      if (!complete) {
        last = head;
        send(sseFrame(head, { type: "reset" } satisfies RunsEvent));
      } else {
        for (const entry of entries) {
          const runs = (JSON.parse(entry.message) as { runs: unknown }).runs;
          send(sseFrame(entry.id, { type: "runs", runs }));
          last = entry.id;
        }
      }
    }
    const gathered = pending;
    pending = null;
    for (const entry of gathered)
      if (compareStreamIds(entry.id, last) > 0) {
        last = entry.id;
        send(entry.frame);
      }
    if (deps.lifecycle.signal.aborted) end();
  });
}
