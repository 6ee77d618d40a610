import { SseParser, type SseEvent } from "../../bench/lib/sse.ts";

export type { SseEvent };

export interface TestStream {
  /** Every event so far, pings and the `connected` event included. */
  events: SseEvent[];
  /** Resolves with the first event (already received or to come) after `from` that `match` accepts. */
  waitFor(match: (e: SseEvent) => boolean, options?: { from?: number; timeoutMs?: number }): Promise<SseEvent>;
  close(): void;
}

/** A tRPC subscription over SSE, as a browser opens it: `GET /trpc/<path>?input=<json>` with the session cookie. */
export async function openSubscription(
  baseUrl: string,
  path: string,
  input: unknown,
  headers: Record<string, string> = {},
): Promise<TestStream> {
  const controller = new AbortController();
  const url = `${baseUrl}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`;
  const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: controller.signal });
  if (res.status !== 200 || !res.body) throw new Error(`subscription ${path} answered ${res.status}`);
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  const parser = new SseParser((e) => {
    events.push(e);
    for (const wake of waiters) wake();
  });
  const decoder = new TextDecoder();
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body.getReader();
  void (async () => {
    try {
      for (let next = await reader.read(); !next.done; next = await reader.read())
        parser.push(decoder.decode(next.value, { stream: true }));
    } catch {
      // closed by the test
    }
  })();
  return {
    events,
    close: () => controller.abort(),
    waitFor(match, { from = 0, timeoutMs = 10_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.slice(from).find(match);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; got: ${JSON.stringify(events)}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
  };
}

/** The data of the stream's message events (tracked events carry their id), pings and control events left out. */
export function messages<T>(stream: TestStream): { id: string | undefined; data: T }[] {
  return stream.events.filter((e) => e.event === "message").map((e) => ({ id: e.id, data: JSON.parse(e.data) as T }));
}
