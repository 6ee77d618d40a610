import type { IngestItem } from "../shared/schemas/ingest.ts";

/**
 * Why items were given up: `queue_full` (the oldest waiting items, to make room), `rejected` (the server refused
 * the item itself: its reason is in the event), `refused` (the server refused the whole request: bad key, bad
 * envelope), `too_large` / `unserializable` (could never be sent), `expired` (retried for `maxRetryDurationMs`),
 * `limited` (the organisation's monthly limit), `shutdown` (still queued when `shutdown()` stopped waiting).
 */
export type DropReason =
  "queue_full" | "rejected" | "refused" | "too_large" | "unserializable" | "expired" | "limited" | "shutdown";

export interface EchosDropEvent {
  reason: DropReason;
  /** The items as they were queued. */
  items: IngestItem[];
  /** Readable: the server's reason for a rejected item, the last error of a batch given up. */
  error: string;
}

/** Drops that come one by one while the queue stays full are warned about at most this often. */
const WARN_EVERY_MS = 60_000;
const THROTTLED: ReadonlySet<DropReason> = new Set(["queue_full", "shutdown"]);

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Counts every item given up and tells the caller: `onDrop` with the items, and a warning through `onError`.
 * Counted at once; told after the caller's code has run, the drops of one moment and reason in one event.
 */
export class DropReporter {
  readonly counts: Record<DropReason, number> = {
    queue_full: 0,
    rejected: 0,
    refused: 0,
    too_large: 0,
    unserializable: 0,
    expired: 0,
    limited: 0,
    shutdown: 0,
  };
  private pending: EchosDropEvent[] = [];
  private readonly warned = new Map<DropReason, { at: number; unreported: number }>();

  constructor(
    private readonly onDrop: ((event: EchosDropEvent) => void) | undefined,
    private readonly onError: (error: Error) => void,
  ) {}

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  drop(reason: DropReason, items: IngestItem[], error: string): void {
    if (items.length === 0) return;
    this.counts[reason] += items.length;
    const last = this.pending.at(-1);
    if (!last) queueMicrotask(() => this.report());
    if (last?.reason === reason && last.error === error) last.items.push(...items);
    else this.pending.push({ reason, items, error });
  }

  private report(): void {
    const events = this.pending;
    this.pending = [];
    for (const event of events) {
      try {
        this.onDrop?.(event);
      } catch (error) {
        this.onError(new Error(`onDrop threw: ${errorText(error)}`));
      }
      this.warn(event);
    }
  }

  private warn({ reason, items, error }: EchosDropEvent): void {
    // The limit is told once, as a UsageLimitError.
    if (reason === "limited") return;
    if (reason === "rejected") {
      for (const item of items) this.onError(new Error(`Item ${item.type} ${item.id} rejected: ${error}`));
      return;
    }
    let count = items.length;
    if (THROTTLED.has(reason)) {
      const now = Date.now();
      const last = this.warned.get(reason);
      if (last && now - last.at < WARN_EVERY_MS) {
        last.unreported += count;
        return;
      }
      count += last?.unreported ?? 0;
      this.warned.set(reason, { at: now, unreported: 0 });
    }
    // A batch given up says so itself ("Batch of 200 not delivered: …").
    this.onError(
      new Error(reason === "refused" || reason === "expired" ? error : `${count} item(s) dropped: ${error}`),
    );
  }
}
