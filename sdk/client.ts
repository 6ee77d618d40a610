import { INGEST_MAX_BYTES, INGEST_MAX_ITEMS } from "../shared/ingest-limits.ts";
import type { IngestItem, IngestResult } from "../shared/schemas/ingest.ts";
import { type DropReason, DropReporter, type EchosDropEvent } from "./drops.ts";
import { postBatch, type UsageLimitInfo } from "./ingest-request.ts";
import { ItemQueue, type QueuedItem } from "./item-queue.ts";

export type { DropReason, EchosDropEvent, UsageLimitInfo };

export interface EchosClientOptions {
  /** Defaults to the ECHOS_API_KEY environment variable. */
  apiKey?: string;
  /** Defaults to ECHOS_API_URL. */
  apiUrl?: string;
  /** How often queued items are sent in the background (ms). Default 1 s. */
  flushIntervalMs?: number;
  /** Items per request (the server takes up to 1,000). Default 200. */
  maxBatchSize?: number;
  /**
   * Items held in memory (waiting, or being sent) while the server cannot take them. Default 20,000: at a busy
   * agent's ~20 items a second, a quarter of an hour. When full, the oldest waiting items are dropped to make room
   * (reason `queue_full`): a span's end carries everything its start did, so dropping a start loses little, while
   * refusing new items would lose ends and leave spans running forever.
   */
  maxQueueSize?: number;
  /** Bytes of JSON held in memory, bounded the same way as `maxQueueSize`. Default 64 MiB. */
  maxQueueBytes?: number;
  /**
   * How long a batch is retried while the server is unreachable, busy (429, 503) or failing (5xx), counted from
   * its first failed attempt; then its items are dropped (reason `expired`) and the next batch gets its turn.
   * Default 10 minutes: a restart, a failover or a migration passes, yet a batch the server keeps failing does not
   * hold back everything behind it for ever. `Infinity` retries until the queue overflows.
   */
  maxRetryDurationMs?: number;
  /**
   * The wait after a first failure (ms), doubled after each further one up to `maxRetryDelayMs`; each wait is
   * between half and all of that, so clients that failed together do not return together. A `Retry-After` from
   * the server is waited instead. Default 500 ms.
   */
  retryDelayMs?: number;
  /** The longest wait between two attempts (ms), unless the server's `Retry-After` asks for more. Default 30 s. */
  maxRetryDelayMs?: number;
  /** Attempts per batch, beside `maxRetryDurationMs`. Default: no limit but the time. */
  maxAttempts?: number;
  /** One request's timeout (ms); a timed-out request is retried. Default 30 s. */
  requestTimeoutMs?: number;
  /** How long `shutdown()` waits for the queue to be delivered before dropping what is left (ms). Default 10 s. */
  shutdownTimeoutMs?: number;
  /** Called instead of throwing: the SDK never throws into the caller's code. Drops are reported here too. */
  onError?: (error: Error) => void;
  /** Every item given up, with why; counted in `stats().droppedBy` as well. */
  onDrop?: (event: EchosDropEvent) => void;
}

export interface EchosClientStats {
  /** Items held: waiting, or in the batch being sent. */
  queued: number;
  /** Their bytes of JSON. */
  queuedBytes: number;
  /** Items the server acknowledged. */
  sent: number;
  /** Requests sent again after a failed attempt. */
  retries: number;
  /** Items given up, for any reason (the sum of `droppedBy`). */
  dropped: number;
  droppedBy: Record<DropReason, number>;
  /** `droppedBy.rejected`. */
  rejected: number;
  /** `droppedBy.limited`: not sent because the organisation's monthly span limit was reached. */
  limited: number;
  /** Items of batches the server refused or never took: `refused`, `expired` and `shutdown`. */
  failed: number;
}

/** Passed to `onError` once when the limit is reached; the client then drops items until `resetsAt`. */
export class UsageLimitError extends Error {
  constructor(readonly info: UsageLimitInfo) {
    super(
      `Usage limit reached (${info.usage} of ${info.limit} spans this month); items are dropped until ${info.resetsAt}`,
    );
    this.name = "UsageLimitError";
  }
}

type Settings = Required<Omit<EchosClientOptions, "apiKey" | "apiUrl" | "onError" | "onDrop">>;

/** Room left in a request for the envelope around the items. */
const MAX_REQUEST_BYTES = INGEST_MAX_BYTES - 1024;
/** HTTP 500s in a row after which a batch is halved: the server answers, yet fails this batch. */
const SPLIT_AFTER_500S = 3;

/** A timer that does not keep the process alive: `beforeExit` still comes, and shuts the client down. */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const stop = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", stop);
      resolve();
    };
    const timer = setTimeout(stop, ms).unref();
    signal.addEventListener("abort", stop, { once: true });
  });

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Sends runs and spans to Echos in batches, in the background. Items are idempotent by id on the server, so a
 * batch that may or may not have arrived is simply sent again. One batch is in flight at a time and the items
 * behind it wait, so a span's end never reaches the server before its start, however long the retries.
 */
export class EchosClient {
  readonly apiUrl: string;
  private readonly apiKey: string | undefined;
  private readonly options: Settings;
  private readonly onError: (error: Error) => void;
  private readonly queue = new ItemQueue();
  /** The batch being sent (and retried). */
  private inflight: QueuedItem[] = [];
  /** Everything in memory: the queue and the batch in flight. */
  private readonly held = { count: 0, bytes: 0 };
  private seq = 0;
  private pumping: Promise<void> | null = null;
  private readonly waiters = new Set<{ seq: number; settle: (done: boolean) => void }>();
  private readonly stopping = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly counters = { sent: 0, retries: 0 };
  private readonly drops: DropReporter;
  private closed = false;
  /** While the organisation is at its limit: nothing is sent (or retried) before this time. */
  private pausedUntil = 0;

  constructor(options: EchosClientOptions = {}) {
    this.apiKey = options.apiKey ?? process.env.ECHOS_API_KEY;
    this.apiUrl = (options.apiUrl ?? process.env.ECHOS_API_URL ?? "http://localhost:5000").replace(/\/+$/, "");
    this.options = {
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      maxBatchSize: Math.min(options.maxBatchSize ?? 200, INGEST_MAX_ITEMS),
      maxQueueSize: options.maxQueueSize ?? 20_000,
      maxQueueBytes: options.maxQueueBytes ?? 64 * 1024 * 1024,
      maxRetryDurationMs: options.maxRetryDurationMs ?? 10 * 60_000,
      retryDelayMs: options.retryDelayMs ?? 500,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 30_000,
      maxAttempts: options.maxAttempts ?? Infinity,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      shutdownTimeoutMs: options.shutdownTimeoutMs ?? 10_000,
    };
    this.onError = options.onError ?? ((error) => process.emitWarning(`Echos: ${error.message}`));
    this.drops = new DropReporter(options.onDrop, this.onError);
    if (!this.apiKey) this.onError(new Error("No API key: set ECHOS_API_KEY or pass apiKey; nothing will be sent"));
    this.timer = setInterval(() => void this.pump(), this.options.flushIntervalMs).unref();
    process.once("beforeExit", () => {
      if (this.held.count > 0) void this.shutdown();
    });
  }

  /** Queues an item; never throws. */
  enqueue(item: IngestItem): void {
    if (!this.apiKey) return;
    if (this.closed) return this.drops.drop("shutdown", [item], "queued after the client was shut down");
    if (this.paused()) return this.drops.drop("limited", [item], "the organisation's monthly span limit is reached");
    let json: string;
    try {
      json = JSON.stringify(item);
    } catch (error) {
      return this.drops.drop("unserializable", [item], `not JSON: ${errorText(error)}`);
    }
    const bytes = Buffer.byteLength(json);
    if (bytes > MAX_REQUEST_BYTES)
      return this.drops.drop(
        "too_large",
        [item],
        `${bytes} bytes of JSON; a request carries at most ${MAX_REQUEST_BYTES}`,
      );
    // Never empties the queue for one item that could not fit anyway.
    if (bytes > this.options.maxQueueBytes) return this.drops.drop("queue_full", [item], this.fullMessage());
    this.makeRoom(bytes);
    if (!this.fits(bytes)) return this.drops.drop("queue_full", [item], this.fullMessage());
    this.queue.push({ seq: ++this.seq, json, bytes, done: false });
    this.held.count++;
    this.held.bytes += bytes;
    if (this.queue.length >= this.options.maxBatchSize) void this.pump();
  }

  stats(): EchosClientStats {
    const d = this.drops.counts;
    return {
      queued: this.held.count,
      queuedBytes: this.held.bytes,
      ...this.counters,
      dropped: this.drops.total,
      droppedBy: { ...d },
      rejected: d.rejected,
      limited: d.limited,
      failed: d.refused + d.expired + d.shutdown,
    };
  }

  /**
   * Sends everything queued so far. Resolves true once each of those items is acknowledged or dropped (and
   * reported); false if `timeoutMs` (default `maxRetryDurationMs`) passes first, the items then still queued and
   * retried in the background (`stats().queued`).
   */
  flush(timeoutMs = this.options.maxRetryDurationMs): Promise<boolean> {
    const seq = this.seq;
    void this.pump();
    if (this.oldestHeld() > seq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        seq,
        settle: (done: boolean) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(done);
        },
      };
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => waiter.settle(false), timeoutMs) : undefined;
      this.waiters.add(waiter);
    });
  }

  /**
   * Stops taking items and waits up to `timeoutMs` (default `shutdownTimeoutMs`) for the queue to be delivered;
   * what is still queued then is dropped (reason `shutdown`) and reported. Resolves with the final counts.
   */
  async shutdown(timeoutMs = this.options.shutdownTimeoutMs): Promise<EchosClientStats> {
    this.closed = true;
    clearInterval(this.timer);
    if (!(await this.flush(timeoutMs))) {
      this.stopping.abort();
      await this.pumping;
      const left = [...this.inflight.filter((e) => !e.done), ...this.queue.takeAll()];
      this.inflight = [];
      this.dropQueued("shutdown", left, `still queued ${timeoutMs} ms after shutdown() began`);
    }
    return this.stats();
  }

  private fits(bytes: number): boolean {
    return this.held.count < this.options.maxQueueSize && this.held.bytes + bytes <= this.options.maxQueueBytes;
  }

  /** Drops the oldest waiting items until one of `bytes` fits; the batch in flight stays. */
  private makeRoom(bytes: number): void {
    const oldest: QueuedItem[] = [];
    while (!this.fits(bytes) && this.queue.length > 0) {
      const entry = this.queue.shift()!;
      this.settle(entry);
      oldest.push(entry);
    }
    this.dropQueued("queue_full", oldest, this.fullMessage());
  }

  private fullMessage(): string {
    const { maxQueueSize, maxQueueBytes } = this.options;
    return `the queue is full (${maxQueueSize} items or ${Math.round(maxQueueBytes / 1048576)} MiB) while Echos does not take them`;
  }

  /** One sender at a time, in queue order. */
  private pump(): Promise<void> {
    this.pumping ??= this.send().finally(() => {
      this.pumping = null;
      // Items queued while the sender was finishing are not left for the next tick.
      if (this.queue.length > 0 && !this.stopping.signal.aborted) void this.pump();
    });
    return this.pumping;
  }

  private async send(): Promise<void> {
    while (this.queue.length > 0 && !this.stopping.signal.aborted) {
      if (this.paused()) {
        this.dropQueued("limited", this.queue.takeAll(), "the organisation's monthly span limit is reached");
        return;
      }
      this.inflight = this.queue.take(this.options.maxBatchSize, MAX_REQUEST_BYTES);
      await this.deliver(this.inflight);
      if (this.stopping.signal.aborted) return;
      this.inflight = [];
      this.wakeWaiters();
    }
  }

  /** Until the batch is acknowledged or given up; the items behind it wait. */
  private async deliver(batch: QueuedItem[]): Promise<void> {
    const { maxRetryDurationMs, maxAttempts, requestTimeoutMs } = this.options;
    let failingSince: number | undefined;
    let serverErrors = 0;
    for (let attempt = 1; ; attempt++) {
      const signal = AbortSignal.any([AbortSignal.timeout(requestTimeoutMs), this.stopping.signal]);
      const outcome = await postBatch(
        `${this.apiUrl}/api/v1/ingest`,
        this.apiKey ?? "",
        batch.map((e) => e.json),
        signal,
      );
      if (this.stopping.signal.aborted) return;
      switch (outcome.kind) {
        case "results":
          return this.settleResults(batch, outcome.results, outcome.limit);
        case "limited":
          this.reachLimit(outcome.info);
          return this.dropQueued("limited", batch, outcome.info.message);
        case "refused":
          return this.dropQueued("refused", batch, `Batch of ${batch.length} not delivered: ${outcome.error}`);
        case "split":
          if (batch.length === 1) return this.dropQueued("too_large", batch, outcome.error);
          return this.deliverHalves(batch);
        case "retry": {
          failingSince ??= Date.now();
          // One item may be what the server fails on (a bug of its own): halves isolate it, so the rest pass.
          serverErrors = outcome.status === 500 ? serverErrors + 1 : 0;
          if (serverErrors >= SPLIT_AFTER_500S && batch.length > 1) {
            this.counters.retries++;
            return this.deliverHalves(batch);
          }
          const failingMs = Date.now() - failingSince;
          if (failingMs >= maxRetryDurationMs || attempt >= maxAttempts)
            return this.dropQueued(
              "expired",
              batch,
              `Batch of ${batch.length} not delivered after ${attempt} attempts in ${(failingMs / 1000).toFixed(1)} s: ${outcome.error}`,
            );
          this.counters.retries++;
          await sleep(this.waitBefore(attempt, outcome.retryAfterMs), this.stopping.signal);
          if (this.stopping.signal.aborted) return;
        }
      }
    }
  }

  /** In order: the second half waits for the first. */
  private async deliverHalves(batch: QueuedItem[]): Promise<void> {
    const half = Math.ceil(batch.length / 2);
    await this.deliver(batch.slice(0, half));
    if (!this.stopping.signal.aborted) await this.deliver(batch.slice(half));
  }

  /** The server's `Retry-After` when it gave one (a tenth more at most, to spread clients), else backoff. */
  private waitBefore(attempt: number, retryAfterMs: number | undefined): number {
    const { retryDelayMs, maxRetryDelayMs, maxRetryDurationMs } = this.options;
    if (retryAfterMs !== undefined) return Math.min(retryAfterMs, maxRetryDurationMs) * (1 + Math.random() / 10);
    return Math.min(maxRetryDelayMs, retryDelayMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
  }

  /** A 207: each item taken or refused on its own; refused items are reported and never sent again. */
  private settleResults(batch: QueuedItem[], results: IngestResult[], limit: UsageLimitInfo | undefined): void {
    const byIndex = new Map(results.map((r) => [r.index, r]));
    const limited: QueuedItem[] = [];
    const rejected: { entry: QueuedItem; error: string }[] = [];
    for (const [i, entry] of batch.entries()) {
      const result = byIndex.get(i);
      if (result?.status !== "error") {
        this.settle(entry);
        this.counters.sent++;
      } else if (limit && result.type === "span" && result.error.startsWith("Monthly span limit")) limited.push(entry);
      else rejected.push({ entry, error: result.error });
    }
    if (limit) this.reachLimit(limit);
    // Items refused for the limit are counted as such and reported once, not one error each.
    this.dropQueued("limited", limited, limit?.message ?? "");
    for (const { entry, error } of rejected) this.dropQueued("rejected", [entry], error);
  }

  private settle(entry: QueuedItem): void {
    if (entry.done) return;
    entry.done = true;
    this.held.count--;
    this.held.bytes -= entry.bytes;
  }

  private dropQueued(reason: DropReason, entries: QueuedItem[], error: string): void {
    if (entries.length === 0) return;
    for (const entry of entries) this.settle(entry);
    this.drops.drop(
      reason,
      entries.map((e) => JSON.parse(e.json) as IngestItem),
      error,
    );
    this.wakeWaiters();
  }

  /** The earliest item still held, by arrival: flush() waits until it is past the last item it was called for. */
  private oldestHeld(): number {
    return this.inflight.find((e) => !e.done)?.seq ?? this.queue.peek()?.seq ?? Infinity;
  }

  private wakeWaiters(): void {
    const oldest = this.oldestHeld();
    for (const waiter of this.waiters) if (waiter.seq < oldest) waiter.settle(true);
  }

  private paused(): boolean {
    return this.pausedUntil > Date.now();
  }

  /** Reported once per limit period: the caller hears of it, the server is not asked again until the reset. */
  private reachLimit(info: UsageLimitInfo): void {
    const until = Date.parse(info.resetsAt);
    const wasPaused = this.paused();
    this.pausedUntil = Number.isFinite(until) ? until : Date.now() + 3_600_000;
    if (!wasPaused) this.onError(new UsageLimitError(info));
  }
}
