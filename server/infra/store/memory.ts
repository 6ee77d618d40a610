import { EventEmitter } from "node:events";
import type { ServiceState } from "@shared/schemas/health.ts";
import { EMPTY_STREAM_ID, type SharedStore, type StreamEntry, type StreamOptions } from "./index.ts";

function afterInLog(entries: StreamEntry[], afterId: string, limit: number) {
  if (afterId === EMPTY_STREAM_ID) {
    return { entries: entries.slice(0, limit), complete: entries.length <= limit };
  }
  const index = entries.findIndex((e) => e.id === afterId);
  if (index < 0) return { entries: [], complete: false };
  const rest = entries.slice(index + 1);
  return { entries: rest.slice(0, limit), complete: rest.length <= limit };
}

/** The store of a single instance: everything in this process's memory, swept of expired entries. */
export class MemoryStore implements SharedStore {
  private readonly values = new Map<string, { value: string; expiresAt: number }>();
  private readonly streams = new Map<string, { entries: StreamEntry[]; expiresAt: number }>();
  private readonly sets = new Map<string, { members: Set<string>; expiresAt: number }>();
  private lastStreamMs = 0;
  private lastStreamN = 0;
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly sweeper = setInterval(() => this.sweep(), 30_000).unref();

  async publish(channel: string, message: string): Promise<void> {
    this.emitter.emit(channel, message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => void> {
    this.emitter.on(channel, onMessage);
    return () => this.emitter.off(channel, onMessage);
  }

  async increment(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }> {
    const now = Date.now();
    const current = this.live(key, now);
    const expiresAt = current?.expiresAt ?? now + windowMs;
    const count = (current ? Number(current.value) : 0) + 1;
    this.values.set(key, { value: String(count), expiresAt });
    return { count, ttlMs: expiresAt - now };
  }

  async get(key: string): Promise<string | null> {
    return this.live(key, Date.now())?.value ?? null;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.values.set(key, { value, expiresAt: Date.now() + ttlMs });
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }

  async take(key: string): Promise<string | null> {
    const value = this.live(key, Date.now())?.value ?? null;
    this.values.delete(key);
    return value;
  }

  async setAdd(key: string, member: string, ttlMs: number): Promise<void> {
    const set = this.liveSet(key, Date.now()) ?? { members: new Set<string>(), expiresAt: 0 };
    set.members.add(member);
    set.expiresAt = Date.now() + ttlMs;
    this.sets.set(key, set);
  }

  async setRemove(key: string, member: string): Promise<void> {
    const set = this.liveSet(key, Date.now());
    set?.members.delete(member);
    if (set?.members.size === 0) this.sets.delete(key);
  }

  async setMembers(key: string): Promise<string[]> {
    return [...(this.liveSet(key, Date.now())?.members ?? [])];
  }

  async append(stream: string, message: string, { maxLen, ttlMs }: StreamOptions): Promise<string> {
    const now = Date.now();
    if (now > this.lastStreamMs) [this.lastStreamMs, this.lastStreamN] = [now, 0];
    else this.lastStreamN++;
    const id = `${this.lastStreamMs}-${this.lastStreamN}`;
    const log = this.liveStream(stream, now) ?? { entries: [], expiresAt: 0 };
    log.entries.push({ id, message });
    if (log.entries.length > maxLen) log.entries.splice(0, log.entries.length - maxLen);
    log.expiresAt = now + ttlMs;
    this.streams.set(stream, log);
    this.emitter.emit(stream, `${id}\n${message}`);
    return id;
  }

  async readAfter(stream: string, afterId: string, limit: number) {
    return afterInLog(this.liveStream(stream, Date.now())?.entries ?? [], afterId, limit);
  }

  async lastId(stream: string): Promise<string> {
    return this.liveStream(stream, Date.now())?.entries.at(-1)?.id ?? EMPTY_STREAM_ID;
  }

  health(): { state: ServiceState; detail: string } {
    return { state: "not_configured", detail: "REDIS_URL not set; in-memory store (single instance only)" };
  }

  async check(): Promise<{ state: ServiceState; detail: string }> {
    return this.health();
  }

  onHealthChange(): () => void {
    return () => {};
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.emitter.removeAllListeners();
    this.values.clear();
    this.streams.clear();
    this.sets.clear();
  }

  private liveSet(key: string, now: number) {
    const set = this.sets.get(key);
    if (set && set.expiresAt <= now) {
      this.sets.delete(key);
      return undefined;
    }
    return set;
  }

  private liveStream(stream: string, now: number) {
    const log = this.streams.get(stream);
    if (log && log.expiresAt <= now) {
      this.streams.delete(stream);
      return undefined;
    }
    return log;
  }

  private live(key: string, now: number) {
    const entry = this.values.get(key);
    if (entry && entry.expiresAt <= now) {
      this.values.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep() {
    const now = Date.now();
    for (const [key, entry] of this.values) if (entry.expiresAt <= now) this.values.delete(key);
    for (const [key, log] of this.streams) if (log.expiresAt <= now) this.streams.delete(key);
    for (const [key, set] of this.sets) if (set.expiresAt <= now) this.sets.delete(key);
  }
}
