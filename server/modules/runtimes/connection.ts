import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type {
  RuntimeCancelEvent,
  RuntimeConnectedEvent,
  RuntimeJobEvent,
  RuntimeConnectQuery,
} from "@shared/schemas/runtimes.ts";
import type { AppDeps } from "../../deps.ts";
import { type AuthenticatedKey, authenticateApiKey } from "../api-keys/service.ts";
import { HEARTBEAT_MS, type Presence, inboxChannel, removePresence, savePresence } from "./presence.ts";
import { type InboxMessage, type JobMessage, jobChannel } from "./service.ts";

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Serves one runtime's stream on this instance until either side ends it: subscribes to the connection's inbox,
 * then announces the connection (presence), then forwards jobs and cancellations as events. Every heartbeat
 * refreshes the presence, re-checks the key (a revoked key ends the stream) and pings the runtime.
 */
export async function serveRuntimeStream(
  deps: AppDeps,
  key: AuthenticatedKey & { secret: string },
  query: RuntimeConnectQuery,
  res: ServerResponse,
): Promise<void> {
  const now = new Date().toISOString();
  const presence: Presence = {
    id: randomUUID(),
    orgId: key.orgId,
    instanceId: deps.instance.id,
    name: query.name,
    tools: query.tool,
    sdkVersion: query.sdkVersion ?? null,
    connectedAt: now,
    lastSeenAt: now,
  };
  const log = deps.log.child({ runtime: presence.id, orgId: key.orgId });
  let open = true;
  const write = (text: string) => {
    if (open && !res.writableEnded) res.write(text);
  };

  const offInbox = await deps.store.subscribe(inboxChannel(presence.id), (raw) => {
    const message = JSON.parse(raw) as InboxMessage;
    if (message.type === "job") {
      write(frame("job", message.job satisfies RuntimeJobEvent));
      const accepted: JobMessage = { type: "accepted" };
      void deps.store.publish(jobChannel(message.job.jobId), JSON.stringify(accepted)).catch(() => {});
    } else {
      write(frame("cancel", { jobId: message.jobId, reason: message.reason } satisfies RuntimeCancelEvent));
    }
  });

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      open = false;
      clearInterval(heartbeat);
      deps.lifecycle.signal.removeEventListener("abort", onDrain);
      offInbox();
      await removePresence(deps, presence).catch((error: unknown) =>
        log.warn("Could not remove a runtime's presence; it expires by itself", { error }),
      );
      log.info("Runtime disconnected", { name: presence.name });
    })());
  const end = (reason: string) => {
    if (!res.writableEnded) res.end(frame("close", { reason }));
  };
  const onDrain = () => end("server shutting down; reconnect");

  const heartbeat = setInterval(() => {
    void (async () => {
      try {
        await authenticateApiKey(deps, key.secret);
      } catch (error) {
        end(error instanceof Error ? error.message : "API key no longer valid");
        return;
      }
      presence.lastSeenAt = new Date().toISOString();
      if (!open) return;
      await savePresence(deps, presence);
      // Closed while saving: take the presence down again rather than leave it to expire.
      if (!open) await removePresence(deps, presence);
      write("event: ping\ndata: \n\n");
    })().catch((error: unknown) => log.warn("Runtime heartbeat failed", { error }));
  }, HEARTBEAT_MS);
  res.once("close", () => void close());
  deps.lifecycle.signal.addEventListener("abort", onDrain);

  await savePresence(deps, presence);
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  write(frame("connected", { connectionId: presence.id, heartbeatMs: HEARTBEAT_MS } satisfies RuntimeConnectedEvent));
  log.info("Runtime connected", { name: presence.name, tools: presence.tools.length });
  if (deps.lifecycle.signal.aborted) onDrain();
  // The client went away while presence was being saved.
  if (res.destroyed) await close();
}
