import { randomUUID } from "node:crypto";
import { tooManyRequests } from "../lib/errors.ts";
import type { SharedStore } from "./store/index.ts";

export interface ConcurrencyLimit {
  /** The shared set of running calls, e.g. `overview:<orgId>`. */
  key: string;
  max: number;
  /** A call older than this no longer counts (its instance died mid-call); longer than the statement timeout. */
  staleMs: number;
  /** What the refused caller reads. */
  refusal: string;
}

/**
 * Runs `work` unless `max` calls of the same key already run, on any instance: the running calls are members of a
 * set in the shared store. Joining and then counting (rather than counting and then joining) means two callers
 * racing for the last place may both be refused, never both admitted.
 */
export async function withConcurrencyLimit<T>(
  store: SharedStore,
  limit: ConcurrencyLimit,
  work: () => Promise<T>,
): Promise<T> {
  const setKey = `running:${limit.key}`;
  const self = `${Date.now()}:${randomUUID()}`;
  await store.setAdd(setKey, self, limit.staleMs);
  try {
    const now = Date.now();
    const members = await store.setMembers(setKey);
    const stale = members.filter((m) => now - Number(m.split(":")[0]) > limit.staleMs);
    await Promise.all(stale.map((m) => store.setRemove(setKey, m)));
    if (members.length - stale.length > limit.max) throw tooManyRequests(limit.refusal, 1);
    return await work();
  } finally {
    await store.setRemove(setKey, self);
  }
}
