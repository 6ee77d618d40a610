/**
 * An item as it will be sent: serialized once, when queued, so its size is known (the queue is bounded in bytes)
 * and later changes to the caller's objects do not leak into it.
 */
export interface QueuedItem {
  /** Order of arrival: flush() waits for every item up to the last one queued when it was called. */
  seq: number;
  json: string;
  bytes: number;
  /** Sent or dropped. */
  done: boolean;
}

/** First in, first out, with O(1) removal at the front (the oldest item goes first when the queue is full). */
export class ItemQueue {
  private items: QueuedItem[] = [];
  private head = 0;
  bytes = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  peek(): QueuedItem | undefined {
    return this.items[this.head];
  }

  push(item: QueuedItem): void {
    this.items.push(item);
    this.bytes += item.bytes;
  }

  shift(): QueuedItem | undefined {
    const item = this.items[this.head];
    if (!item) return undefined;
    this.head++;
    this.bytes -= item.bytes;
    // Compacted now and then, not at every shift, so taking from the front stays cheap.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** The oldest items, at most `maxItems` and `maxBytes` together (always at least one, if any). */
  take(maxItems: number, maxBytes: number): QueuedItem[] {
    const batch: QueuedItem[] = [];
    let bytes = 0;
    for (let next = this.peek(); next && batch.length < maxItems; next = this.peek()) {
      if (batch.length > 0 && bytes + next.bytes + 1 > maxBytes) break;
      bytes += next.bytes + 1;
      batch.push(this.shift()!);
    }
    return batch;
  }

  takeAll(): QueuedItem[] {
    return this.take(Infinity, Infinity);
  }
}
