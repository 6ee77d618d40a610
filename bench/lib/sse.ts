// Many server-sent-event clients in one process, on node:http, for the live-delivery bench.
import { Agent, type IncomingMessage, type ClientRequest, request } from "node:http";
import { performance } from "node:perf_hooks";
import { SseParser, type SseEvent } from "@shared/sse-parser.ts";

export { SseParser, type SseEvent } from "@shared/sse-parser.ts";

export interface SseConnection {
  close(): void;
  /** Set when the stream ended or failed after it had opened. */
  readonly endedEarly: boolean;
}

/** Sockets for the streams: no pooling limit, no keep-alive (each stream owns its socket until it is closed). */
export const sseAgent = new Agent({ keepAlive: false, maxSockets: Infinity });

/**
 * Opens one stream and resolves once its first event arrived (both servers under test begin with `connected`).
 * Rejects on a non-200 answer, an error event before that, or after `timeoutMs`. Every event, the first included,
 * goes to `onEvent` with the performance.now() at which its chunk was read — before any parsing.
 */
export function openSse(
  url: string,
  headers: Record<string, string>,
  onEvent: (event: SseEvent, receivedAt: number) => void,
  timeoutMs = 30_000,
): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    let opened = false;
    let closing = false;
    let endedEarly = false;
    let req: ClientRequest | undefined = undefined;
    const fail = (error: Error) => {
      clearTimeout(timer);
      if (!opened) {
        opened = true;
        req?.destroy();
        reject(error);
      } else if (!closing) endedEarly = true;
    };
    const timer = setTimeout(() => fail(new Error(`no first event from ${url} within ${timeoutMs} ms`)), timeoutMs);
    const connection: SseConnection = {
      close() {
        closing = true;
        req?.destroy();
      },
      get endedEarly() {
        return endedEarly;
      },
    };
    req = request(url, { agent: sseAgent, headers: { accept: "text/event-stream", ...headers } });
    req.on("error", (error) => fail(error));
    req.on("response", (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          fail(new Error(`GET ${url} answered ${res.statusCode}: ${Buffer.concat(chunks).toString("utf8")}`)),
        );
        return;
      }
      let receivedAt = 0;
      const parser = new SseParser((event) => {
        if (!opened) {
          if (event.event === "serialized-error") {
            fail(new Error(`GET ${url} opened with an error event: ${event.data}`));
            return;
          }
          opened = true;
          clearTimeout(timer);
          resolve(connection);
        }
        onEvent(event, receivedAt);
      });
      res.setEncoding("utf8");
      res.on("data", (text: string) => {
        receivedAt = performance.now();
        parser.push(text);
      });
      res.on("end", () => fail(new Error(`GET ${url}: the stream ended`)));
      res.on("error", (error) => fail(error));
    });
    req.end();
  });
}

/** Opens `count` streams, at most `concurrency` handshakes at a time; on any failure closes those opened and throws. */
export async function openMany(
  count: number,
  concurrency: number,
  open: (index: number) => Promise<SseConnection>,
): Promise<SseConnection[]> {
  const connections: SseConnection[] = [];
  let next = 0;
  const failures: Error[] = [];
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count && failures.length === 0) {
        const index = next++;
        try {
          connections[index] = await open(index);
        } catch (error) {
          failures.push(error instanceof Error ? error : new Error(String(error)));
        }
      }
    }),
  );
  if (failures.length > 0) {
    for (const c of connections) c?.close();
    throw failures[0]!;
  }
  return connections;
}
