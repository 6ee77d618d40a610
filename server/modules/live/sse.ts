import type { ServerResponse } from "node:http";
import type { AppDeps } from "../../deps.ts";

/** Timing of every live stream: tRPC's subscriptions use these, and so does the hand-written event stream below. */
export const SSE_OPTIONS = {
  ping: { enabled: true, intervalMs: 15_000 },
  /** The browser reconnects by itself when nothing (not even a ping) arrived for this long. */
  client: { reconnectAfterInactivityMs: 20_000 },
};

/** A browser this far behind (a frozen tab on a slow link) is disconnected; it resumes from the log on return. */
const MAX_UNSENT_BYTES = 4 * 1024 * 1024;

/** tRPC's SSE wire format, so `httpSubscriptionLink` in the browser reads these streams unchanged. */
export const sseFrame = (id: string, data: unknown) => `data: ${JSON.stringify(data)}\nid: ${id}\n\n`;

const CONNECTED = `event: connected\ndata: ${JSON.stringify(SSE_OPTIONS.client)}\n\n`;
const PING = "event: ping\ndata: \n\n";
/** tRPC's end of stream: the browser closes instead of reconnecting. */
const RETURN = "event: return\ndata: \n\n";

export interface EventStream {
  /** Aborts when the browser goes away (or is disconnected for being too far behind). */
  readonly signal: AbortSignal;
  /** Writes frames made with `sseFrame`, typically serialised once for every browser. */
  write(frame: string): void;
  /** Ends the stream as a tRPC subscription ends. */
  end(): void;
}

/**
 * Starts a server-sent-event stream on a raw response, the way tRPC starts a subscription's (connected event, then
 * pings), counted in `liveConnections`. What is sent, and from where, is the caller's: this only writes frames.
 */
export function openEventStream(res: ServerResponse, deps: Pick<AppDeps, "metrics">): EventStream {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  const closed = new AbortController();
  deps.metrics.liveConnections.inc();
  const write = (frame: string) => {
    if (res.destroyed) return;
    if (res.writableLength > MAX_UNSENT_BYTES) res.destroy();
    else res.write(frame);
  };
  const ping = setInterval(() => write(PING), SSE_OPTIONS.ping.intervalMs);
  res.once("close", () => {
    clearInterval(ping);
    deps.metrics.liveConnections.dec();
    closed.abort();
  });
  res.write(CONNECTED);
  return {
    signal: closed.signal,
    write,
    end: () => {
      if (!res.writableEnded && !res.destroyed) res.end(RETURN);
    },
  };
}
