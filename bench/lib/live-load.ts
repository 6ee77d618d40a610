// The load shape and the measurement of the live-delivery bench (bench/live.ts), apart from the servers under test.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import type { Child } from "./children.ts";
import { percentile, round } from "./report.ts";
import { type SseConnection, type SseEvent, openMany } from "./sse.ts";

export interface Shape {
  warmup: number;
  events: number;
  intervalMs: number;
  /** Sending stops after this long even if not all `events` went out (a server that cannot keep up). */
  budgetMs: number;
  /** Stream handshakes in flight at once while opening the clients. */
  openConcurrency: number;
  warmupTimeoutMs: number;
  /** After the last send, how long to wait for deliveries still missing. */
  drainTimeoutMs: number;
}

const NAME = /^bench (\d+) (\d+(?:\.\d+)?)$/;
const NAME_IN_TEXT = /bench (\d+) \d/g;

// ---------------------------------------------------------------------------------------------------------------
// A small HTTP client for setup calls and the ingest POSTs (one kept-alive socket, like an SDK's).

const postAgent = new Agent({ keepAlive: true, maxSockets: 1 });

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function call(method: string, url: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: postAgent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

export function closeCalls(): void {
  postAgent.destroy();
}

export const JSON_HEADERS = { "content-type": "application/json" };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** The `name`s of the objects in `value[key]` (an array), or [] for anything else. */
export function namesUnder(value: unknown, key: string): string[] {
  if (!isRecord(value)) return [];
  const list = value[key];
  if (!Array.isArray(list)) return [];
  const names: string[] = [];
  for (const item of list as unknown[]) if (isRecord(item) && typeof item.name === "string") names.push(item.name);
  return names;
}

/** Every client receives the same data string for an event: parse it once, not once per client. */
export function cachedNames(extract: (data: string) => string[]): (data: string) => string[] {
  const cache = new Map<string, string[]>();
  return (data) => {
    let names = cache.get(data);
    if (names === undefined) {
      names = extract(data);
      cache.set(data, names);
      if (cache.size > 64) cache.delete(cache.keys().next().value ?? "");
    }
    return names;
  };
}

// ---------------------------------------------------------------------------------------------------------------

/** A server under test. */
export interface Target {
  label: string;
  child: Child;
  open(onEvent: (event: SseEvent, receivedAt: number) => void): Promise<SseConnection>;
  /** Sends one ingest POST; resolves when it was answered, rejects unless it was accepted. */
  ingest(body: string): Promise<void>;
  /** The run names an event carries (none for connected, ping, reset and the like). */
  namesIn(event: SseEvent): string[];
}

/** Watches every Redis channel for the bench's run names: when did each event reach Redis? */
export class RedisTap {
  readonly seenAt = new Map<number, number>();
  private readonly redis: Redis;

  constructor(url: string) {
    this.redis = new Redis(url, { lazyConnect: true });
  }

  async start(): Promise<void> {
    await this.redis.connect();
    this.redis.on("pmessage", (_pattern: string, _channel: string, message: string) => {
      const at = performance.now();
      for (const m of message.matchAll(NAME_IN_TEXT)) {
        const seq = Number(m[1]);
        if (!this.seenAt.has(seq)) this.seenAt.set(seq, at);
      }
    });
    await this.redis.psubscribe("*");
  }

  stop(): void {
    this.redis.disconnect();
  }
}

const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/** A process's CPU time (user + system, ms) from /proc, or NaN where there is none. */
function cpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

export interface Stats {
  p50: number;
  p99: number;
  max: number;
}

function stats(values: ArrayLike<number>): Stats {
  const sorted = Float64Array.from(values).sort();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

export interface PhaseResult {
  target: string;
  clients: number;
  openMs: number;
  /** Events sent in the measured part (fewer than asked when the budget ran out). */
  sent: number;
  expected: number;
  delivered: number;
  /** Streams that ended or failed during the phase. */
  dropped: number;
  /** Sends that went out more than half an interval late (the previous POST was still unanswered). */
  lateSends: number;
  latency: Stats;
  ack: Stats;
  /** POST sent → the event seen on Redis, and Redis → client; NaN when the message on Redis carries no run name. */
  toRedis: Stats;
  fromRedis: Stats;
  serverCpuMsPerEvent: number;
  harnessCpuMsPerEvent: number;
}

let nextSeq = 0;

/** One finished run whose name carries its sequence number and send time (epoch ms, this process's clock). */
function runBody(seq: number, sentAt: number): string {
  const epochMs = performance.timeOrigin + sentAt;
  const at = new Date(epochMs).toISOString();
  return JSON.stringify({
    items: [
      {
        type: "run",
        id: `bench-live-${process.pid}-${seq}`,
        name: `bench ${seq} ${epochMs.toFixed(3)}`,
        status: "success",
        startedAt: at,
        endedAt: at,
      },
    ],
  });
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

/**
 * Opens `clients` streams, waits until all are open, sends `shape.warmup` events and waits until every client has
 * the last one, then sends `shape.events` events one at a time on a fixed schedule (the next never before the
 * previous POST was answered) and measures every (event, client) delivery: the time the client's chunk was read
 * minus the time the POST was sent, both on this process's clock.
 */
export async function runPhase(target: Target, clients: number, shape: Shape, tap: RedisTap): Promise<PhaseResult> {
  const { warmup, events, intervalMs } = shape;
  const total = warmup + events;
  const first = nextSeq;
  nextSeq += total;
  const sentAt = new Float64Array(total);
  const receivedAt = new Float64Array(total * clients); // 0: not (yet) received
  const latency = new Float64Array(total * clients);
  const received = new Uint32Array(total);
  const acks: number[] = [];

  const onEvent = (client: number) => (event: SseEvent, at: number) => {
    for (const name of target.namesIn(event)) {
      const m = NAME.exec(name);
      if (!m) continue;
      const i = Number(m[1]) - first;
      if (i < 0 || i >= total) continue;
      const k = i * clients + client;
      if (receivedAt[k] !== 0) continue;
      receivedAt[k] = at;
      received[i]!++;
      // The send time the event carried back, on the clock it was written with.
      latency[k] = at - (Number(m[2]) - performance.timeOrigin);
    }
  };

  /** Sends event `i` and returns how long the POST took to be answered. */
  const send = async (i: number) => {
    const t = performance.now();
    sentAt[i] = t;
    await target.ingest(runBody(first + i, t));
    return performance.now() - t;
  };

  process.stdout.write(`${target.label}, ${clients} clients: opening streams ... `);
  const openStarted = performance.now();
  const connections = await openMany(clients, shape.openConcurrency, (c) => target.open(onEvent(c)));
  const openMs = performance.now() - openStarted;
  process.stdout.write(`${Math.round(openMs)} ms; warm-up ... `);
  try {
    for (let i = 0; i < warmup; i++) {
      await send(i);
      await sleep(intervalMs);
    }
    const lastWarmup = warmup - 1;
    if (!(await waitUntil(() => received[lastWarmup] === clients, shape.warmupTimeoutMs)))
      throw new Error(
        `${target.label}: only ${received[lastWarmup]} of ${clients} clients received the last warm-up event ` +
          `within ${shape.warmupTimeoutMs} ms`,
      );

    process.stdout.write(`measuring ${events} events every ${intervalMs} ms ... `);
    const cpuBefore = cpuMs(target.child.proc.pid);
    const harnessBefore = process.cpuUsage();
    const started = performance.now();
    let lateSends = 0;
    let sent = 0;
    while (sent < events && performance.now() - started < shape.budgetMs) {
      const wait = started + sent * intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      else if (wait < -intervalMs / 2) lateSends++;
      acks.push(await send(warmup + sent));
      sent++;
    }
    const measured = received.subarray(warmup, warmup + sent);
    await waitUntil(() => measured.every((n) => n === clients), shape.drainTimeoutMs);
    const serverCpu = cpuMs(target.child.proc.pid) - cpuBefore;
    const harnessCpu = process.cpuUsage(harnessBefore);

    const latencies: number[] = [];
    const toRedis: number[] = [];
    const fromRedis: number[] = [];
    for (let i = warmup; i < warmup + sent; i++) {
      const onRedis = tap.seenAt.get(first + i);
      if (onRedis !== undefined) toRedis.push(onRedis - sentAt[i]!);
      for (let c = 0; c < clients; c++) {
        const at = receivedAt[i * clients + c]!;
        if (at === 0) continue;
        latencies.push(latency[i * clients + c]!);
        if (onRedis !== undefined) fromRedis.push(at - onRedis);
      }
    }
    const result: PhaseResult = {
      target: target.label,
      clients,
      openMs: Math.round(openMs),
      sent,
      expected: sent * clients,
      delivered: latencies.length,
      dropped: connections.filter((c) => c.endedEarly).length,
      lateSends,
      latency: stats(latencies),
      ack: stats(acks),
      toRedis: stats(toRedis),
      fromRedis: stats(fromRedis),
      serverCpuMsPerEvent: serverCpu / sent,
      harnessCpuMsPerEvent: (harnessCpu.user + harnessCpu.system) / 1000 / sent,
    };
    console.log(
      `p50 ${round(result.latency.p50, 1)} ms, p99 ${round(result.latency.p99, 1)} ms` +
        (sent < events ? ` (only ${sent} events sent within ${shape.budgetMs} ms)` : "") +
        (result.delivered < result.expected ? ` (${result.expected - result.delivered} deliveries missing)` : ""),
    );
    return result;
  } finally {
    for (const c of connections) c.close();
    await sleep(1000); // let the server notice the closed streams before the next phase
  }
}
