import { type FastifyRateLimitStore, normalizeIP } from "@fastify/rate-limit";
import type { SharedStore } from "../infra/store/index.ts";

type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** The global limiter's counter for a client address, as the plugin keys it (an IPv6 address by its subnet). */
export const rateLimitKey = (ip: string) => `rl:${normalizeIP(ip)}`;

/**
 * A `@fastify/rate-limit` store on top of the shared store, so every instance counts against the same
 * window (in Redis), and the limiter keeps working on the in-memory fallback while Redis is away.
 */
export function sharedRateLimitStore(store: SharedStore) {
  return class SharedRateLimitStore implements FastifyRateLimitStore {
    /** The plugin passes its options first; route-level limits get a scope so they count separately. */
    constructor(
      _options?: unknown,
      private readonly scope = "",
    ) {}

    incr(key: string, callback: IncrCallback, timeWindow: number): void {
      store.increment(`rl:${this.scope}${key}`, timeWindow).then(
        ({ count, ttlMs }) => callback(null, { current: count, ttl: ttlMs }),
        (error: Error) => callback(error),
      );
    }

    child(routeOptions: Parameters<FastifyRateLimitStore["child"]>[0]): FastifyRateLimitStore {
      return new SharedRateLimitStore(undefined, `${String(routeOptions.method)}:${routeOptions.url}:`);
    }
  };
}
