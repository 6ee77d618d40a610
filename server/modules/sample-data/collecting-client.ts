import type { IngestItem } from "@shared/schemas/ingest.ts";
import { EchosClient } from "../../../sdk/client.ts";

/**
 * An SDK client that sends nothing: it keeps what the runtime and `trace()` record, so the server can store it
 * itself (sample data is made in this process, not sent over HTTP with a key).
 */
export class CollectingClient extends EchosClient {
  readonly items: IngestItem[] = [];

  constructor(private readonly mark: (item: IngestItem) => IngestItem = (item) => item) {
    // Nothing is queued, so the background timer finds nothing; the key only keeps the client from warning.
    super({ apiKey: "collected", apiUrl: "http://localhost", flushIntervalMs: 60_000 });
  }

  override enqueue(item: IngestItem): void {
    this.items.push(this.mark(item));
  }
}
