export interface SseEvent {
  /** `message` when the stream named none. */
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * The text/event-stream format (https://html.spec.whatwg.org/multipage/server-sent-events.html), without retry
 * handling: lines of `field: value`, an event ends at a blank line. Unlike EventSource it also dispatches events
 * with empty data (tRPC's `ping`), so the caller sees everything the server sent.
 */
export class SseParser {
  private pending = "";
  private event = "";
  private data: string[] = [];
  private id: string | undefined;
  private fields = 0;

  constructor(private readonly emit: (event: SseEvent) => void) {}

  push(text: string): void {
    const buffer = this.pending + text;
    let start = 0;
    for (let nl = buffer.indexOf("\n", start); nl >= 0; nl = buffer.indexOf("\n", start)) {
      const end = nl > start && buffer.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.line(buffer.slice(start, end));
      start = nl + 1;
    }
    this.pending = buffer.slice(start);
  }

  private line(line: string): void {
    if (line === "") {
      if (this.fields > 0) this.emit({ event: this.event || "message", data: this.data.join("\n"), id: this.id });
      this.event = "";
      this.data = [];
      this.id = undefined;
      this.fields = 0;
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    this.fields++;
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id") this.id = value;
  }
}
