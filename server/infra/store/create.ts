import type { Logger } from "../logger.ts";
import type { SharedStore } from "./index.ts";
import { MemoryStore } from "./memory.ts";
import { RedisStore } from "./redis.ts";

/** Redis when a URL is configured (falling back to memory while it is unreachable), process memory otherwise. */
export async function createSharedStore(redisUrl: string | undefined, log: Logger): Promise<SharedStore> {
  if (!redisUrl) return new MemoryStore();
  const store = new RedisStore(redisUrl, log);
  await store.connect();
  return store;
}
