import type { IngestItem, IngestResult } from "../shared/schemas/ingest.ts";

export interface EchosClientOptions {
  /** Defaults to the ECHOS_API_KEY environment variable. */
  apiKey?: string;
  /** Defaults to ECHOS_API_URL. */
  apiUrl?: string;
  /** How often queued items are sent in the background (ms). */
  flushIntervalMs?: number;
  /** Items per request (the server takes up to 1,000). */
  maxBatchSize?: number;
  /** Items held while the server is unreachable; beyond this, new items are dropped and counted. */
  maxQueueSize?: number;
  /** Attempts per batch before it is given up (and counted as failed). */
  maxAttempts?: number;
  /** Called instead of throwing: the SDK never throws into the caller's code. */
  onError?: (error: Error) => void;
}

export interface EchosClientStats {
  queued: number;
  sent: number;
  rejected: number;
  dropped: number;
  failed: number;
  retries: number;
  /** Items not sent because the organisation's monthly span limit was reached. */
  limited: number;
}

/** What the server says at its usage limit (HTTP 429, or `limit` beside the results of a batch that crossed it). */
export interface UsageLimitInfo {
  error: "usage_limit_reached";
  message: string;
  limit: number;
  usage: number;
  resetsAt: string;
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

const isLimitInfo = (v: unknown): v is UsageLimitInfo =>
  typeof v === "object" && v !== null && (v as { error?: unknown }).error === "usage_limit_reached";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Full jitter: a random wait up to an exponentially growing ceiling (AWS architecture blog's recipe). */
function backoff(attempt: number, retryAfterMs?: number): number {
  const ceiling = Math.min(30_000, 250 * 2 ** attempt);
  return Math.max(retryAfterMs ?? 0, Math.random() * ceiling);
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterMs?: number,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

/**
 * Sends runs and spans to Echos in batches, in the background. Items are idempotent by id on the server, so a
 * batch that may or may not have arrived is simply sent again.
 */
export class EchosClient {
  readonly apiUrl: string;
  private readonly apiKey: string | undefined;
  private readonly options: Required<Omit<EchosClientOptions, "apiKey" | "apiUrl" | "onError">>;
  private readonly onError: (error: Error) => void;
  private queue: IngestItem[] = [];
  private flushing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly counters: Omit<EchosClientStats, "queued"> = {
    sent: 0,
    rejected: 0,
    dropped: 0,
    failed: 0,
    retries: 0,
    limited: 0,
  };
  private closed = false;
  /** While the organisation is at its limit: nothing is sent (or retried) before this time. */
  private pausedUntil = 0;

  constructor(options: EchosClientOptions = {}) {
    this.apiKey = options.apiKey ?? process.env.ECHOS_API_KEY;
    this.apiUrl = (options.apiUrl ?? process.env.ECHOS_API_URL ?? "http://localhost:5000").replace(/\/+$/, "");
    this.options = {
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      maxBatchSize: Math.min(options.maxBatchSize ?? 200, 1000),
      maxQueueSize: options.maxQueueSize ?? 10_000,
      maxAttempts: options.maxAttempts ?? 6,
    };
    this.onError = options.onError ?? ((error) => process.emitWarning(`Echos: ${error.message}`));
    if (!this.apiKey) this.onError(new Error("No API key: set ECHOS_API_KEY or pass apiKey; nothing will be sent"));
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs).unref();
    process.once("beforeExit", () => void this.flush());
  }

  /** Queues an item; never throws. */
  enqueue(item: IngestItem): void {
    if (this.closed || !this.apiKey) return;
    if (this.paused()) {
      this.counters.limited++;
      return;
    }
    if (this.queue.length >= this.options.maxQueueSize) {
      this.counters.dropped++;
      return;
    }
    this.queue.push(item);
    if (this.queue.length >= this.options.maxBatchSize) void this.flush();
  }

  stats(): EchosClientStats {
    return { queued: this.queue.length, ...this.counters };
  }

  /** Sends everything queued so far; resolves when it is acknowledged or given up. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => (this.flushing = null));
    return this.flushing;
  }

  /** Flushes and stops the background timer. */
  async shutdown(): Promise<void> {
    await this.flush();
    this.closed = true;
    clearInterval(this.timer);
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.paused()) {
        this.counters.limited += this.queue.length;
        this.queue = [];
        return;
      }
      const batch = this.queue.splice(0, this.options.maxBatchSize);
      await this.sendWithRetry(batch);
    }
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

  private async sendWithRetry(batch: IngestItem[]): Promise<void> {
    for (let attempt = 0; attempt < this.options.maxAttempts; attempt++) {
      try {
        const { results, limit } = await this.post(batch);
        const failed = results.filter((r) => r.status === "error");
        // Items refused for the limit are counted as such and reported once, not one error each.
        const limited = limit
          ? failed.filter((r) => r.status === "error" && r.type === "span" && r.error.startsWith("Monthly span limit"))
          : [];
        const rejected = failed.filter((r) => !limited.includes(r));
        this.counters.sent += batch.length - failed.length;
        this.counters.rejected += rejected.length;
        this.counters.limited += limited.length;
        if (limit) this.reachLimit(limit);
        for (const r of rejected)
          this.onError(
            new Error(
              `Item ${r.index} (${r.type ?? "?"} ${r.id ?? ""}) rejected: ${r.status === "error" ? r.error : ""}`,
            ),
          );
        return;
      } catch (error) {
        const e = error instanceof Error ? error : new Error(String(error));
        if (e instanceof HttpError && e.status === 429 && isLimitInfo(e.body)) {
          this.counters.limited += batch.length;
          this.reachLimit(e.body);
          return;
        }
        const retryable = !(e instanceof HttpError) || e.status === 429 || e.status >= 500;
        if (!retryable || attempt === this.options.maxAttempts - 1) {
          this.counters.failed += batch.length;
          this.onError(new Error(`Batch of ${batch.length} not delivered: ${e.message}`));
          return;
        }
        this.counters.retries++;
        await sleep(backoff(attempt, e instanceof HttpError ? e.retryAfterMs : undefined));
      }
    }
  }

  private async post(items: IngestItem[]): Promise<{ results: IngestResult[]; limit?: UsageLimitInfo }> {
    const res = await fetch(`${this.apiUrl}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": this.apiKey ?? "" },
      body: JSON.stringify({ items }),
      signal: AbortSignal.timeout(30_000),
    });
    if (res.status !== 207 && !res.ok) {
      const retryAfter = Number(res.headers.get("retry-after"));
      const text = await res.text().catch(() => "");
      let message = text;
      let body: unknown;
      try {
        body = JSON.parse(text);
        message = (body as { message?: string }).message ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new HttpError(
        res.status,
        `HTTP ${res.status}: ${message.slice(0, 300)}`,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
        body,
      );
    }
    const body = (await res.json()) as { results: IngestResult[]; limit?: unknown };
    return { results: body.results, limit: isLimitInfo(body.limit) ? body.limit : undefined };
  }
}
