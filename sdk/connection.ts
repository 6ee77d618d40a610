import type { ErrorBody } from "../shared/schemas/errors.ts";
import type {
  RuntimeCancelEvent,
  RuntimeConnectedEvent,
  RuntimeJobEvent,
  RuntimeJobResult,
} from "../shared/schemas/runtimes.ts";
import { type SseEvent, SseParser } from "../shared/sse-parser.ts";
import { errorText } from "../shared/workflow/engine.ts";
import type { Tools } from "../shared/workflow/types.ts";
import { SDK_VERSION } from "./version.ts";

export interface RuntimeConnectOptions {
  /** Shown in Echos beside the connection. Default: host name and process id. */
  name?: string;
  /** Aborting it closes the connection, like `close()`. */
  signal?: AbortSignal;
  /** Every change of the connection: connected (with its id), dropped (with why, and when it retries), closed. */
  onStatus?: (status: RuntimeConnectionStatus) => void;
}

export type RuntimeConnectionStatus =
  | { state: "connected"; connectionId: string }
  | { state: "disconnected"; error: string; retryInMs: number }
  | { state: "closed"; error?: string };

export interface ConnectionSettings extends RuntimeConnectOptions {
  apiUrl: string;
  apiKey: string;
  tools: Tools;
  name: string;
  onError: (error: Error) => void;
}

/** The server said no (bad key, ingest-only key, bad tool list): retrying would not help. */
class RuntimeRefusedError extends Error {}

const FIRST_EVENT_WAIT_MS = 30_000;
const MAX_BACKOFF_MS = 15_000;
const RESULT_ATTEMPTS = 4;
const MAX_ERROR = 10_000;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
/** 0.5 s doubling to 15 s, with jitter so runtimes dropped together do not return together. */
const backoff = (failures: number) =>
  Math.round(Math.min(500 * 2 ** failures, MAX_BACKOFF_MS) * (0.5 + Math.random() / 2));

async function reasonOf(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    return (JSON.parse(text) as Partial<ErrorBody>).message ?? text;
  } catch {
    return text.slice(0, 300);
  }
}

/**
 * A long-lived connection from this process to Echos, on which Echos sends the tool calls of replays that need
 * this runtime's own tools. Reads the server-sent-event stream from `fetch` (Node has no EventSource), runs each
 * job with its tool and posts the result; reconnects with back-off whenever the stream drops.
 */
export class RuntimeConnection {
  /** The current connection's id; null while reconnecting. */
  connectionId: string | null = null;
  /** Settles when the connection is closed for good: by `close()`, the signal, or a refusal (revoked key). */
  readonly closed: Promise<void>;
  /** Resolves at the first connection; rejects if the server refuses it or the connection is closed before. */
  readonly ready: Promise<void>;
  private readonly stop = new AbortController();
  private readonly jobs = new Map<string, AbortController>();
  private first!: { resolve: () => void; reject: (error: Error) => void };

  constructor(private readonly settings: ConnectionSettings) {
    this.ready = new Promise((resolve, reject) => (this.first = { resolve, reject }));
    this.ready.catch(() => {});
    settings.signal?.addEventListener("abort", () => void this.close(), { once: true });
    this.closed = this.loop();
  }

  /** Ends the connection; tools still running are aborted. */
  async close(): Promise<void> {
    this.stop.abort();
    await this.closed;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    let refused: Error | undefined;
    while (!this.stop.signal.aborted && !this.settings.signal?.aborted) {
      let error = "the stream ended";
      try {
        await this.stream(() => (failures = 0));
      } catch (e) {
        if (e instanceof RuntimeRefusedError) {
          refused = e;
          break;
        }
        error = errorText(e);
      }
      this.connectionId = null;
      this.abortJobs("the connection to Echos dropped");
      if (this.stop.signal.aborted) break;
      const retryInMs = backoff(failures++);
      this.settings.onStatus?.({ state: "disconnected", error, retryInMs });
      await sleep(retryInMs, this.stop.signal);
    }
    this.stop.abort();
    this.connectionId = null;
    this.abortJobs("the connection was closed");
    this.first.reject(refused ?? new Error("The runtime connection was closed before it connected"));
    this.settings.onStatus?.({ state: "closed", error: refused?.message });
  }

  /** One stream, from the request to its end. */
  private async stream(onConnected: () => void): Promise<void> {
    const { apiUrl, apiKey, tools, name } = this.settings;
    const url = new URL(`${apiUrl}/api/v1/runtimes/connect`);
    url.searchParams.set("name", name);
    url.searchParams.set("sdkVersion", SDK_VERSION);
    for (const tool of Object.keys(tools)) url.searchParams.append("tool", tool);
    const dead = new AbortController();
    const res = await fetch(url, {
      headers: { accept: "text/event-stream", "x-api-key": apiKey },
      signal: AbortSignal.any([this.stop.signal, dead.signal]),
    });
    if (!res.ok || !res.body) {
      const reason = `Echos refused the runtime connection: HTTP ${res.status}: ${await reasonOf(res)}`;
      if ([400, 401, 403].includes(res.status)) throw new RuntimeRefusedError(reason);
      throw new Error(reason);
    }
    // A stream silent for three heartbeats is dead even if the socket says otherwise (a stale proxy, a sleeping laptop).
    let silenceMs = FIRST_EVENT_WAIT_MS;
    let watchdog = setTimeout(() => dead.abort(), silenceMs);
    const parser = new SseParser((event) => {
      if (event.event === "connected") {
        const connected = JSON.parse(event.data) as RuntimeConnectedEvent;
        silenceMs = connected.heartbeatMs * 3;
        this.connectionId = connected.connectionId;
        onConnected();
        this.first.resolve();
        this.settings.onStatus?.({ state: "connected", connectionId: connected.connectionId });
      } else this.onEvent(event);
    });
    const decoder = new TextDecoder();
    const reader: ReadableStreamDefaultReader<Uint8Array> = res.body.getReader();
    try {
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => dead.abort(), silenceMs);
        parser.push(decoder.decode(next.value, { stream: true }));
      }
    } catch (error) {
      if (dead.signal.aborted) throw new Error(`no heartbeat from Echos for ${silenceMs} ms`);
      throw error;
    } finally {
      clearTimeout(watchdog);
      dead.abort();
    }
  }

  private onEvent(event: SseEvent): void {
    if (event.event === "job") void this.runJob(JSON.parse(event.data) as RuntimeJobEvent);
    else if (event.event === "cancel") {
      const { jobId, reason } = JSON.parse(event.data) as RuntimeCancelEvent;
      this.jobs.get(jobId)?.abort(new Error(reason));
    }
  }

  private async runJob(job: RuntimeJobEvent): Promise<void> {
    const controller = new AbortController();
    this.jobs.set(job.jobId, controller);
    let result: RuntimeJobResult;
    try {
      const tool = this.settings.tools[job.tool];
      if (!tool) throw new Error(`This runtime has no tool "${job.tool}"`);
      const output = await tool(job.args, { stepId: job.stepId, signal: controller.signal });
      result = { ok: true, output: output ?? null };
    } catch (error) {
      result = { ok: false, error: errorText(error).slice(0, MAX_ERROR) };
    } finally {
      this.jobs.delete(job.jobId);
    }
    // Cancelled, or the connection dropped: nobody waits for this result any more.
    if (controller.signal.aborted) return;
    await this.postResult(job, result);
  }

  private async postResult(job: RuntimeJobEvent, outcome: RuntimeJobResult): Promise<void> {
    let result = outcome;
    let body: string;
    try {
      body = JSON.stringify(result);
    } catch (error) {
      body = JSON.stringify({ ok: false, error: `The tool's output is not JSON: ${errorText(error)}` });
    }
    const url = `${this.settings.apiUrl}/api/v1/runtimes/jobs/${job.jobId}/result`;
    let problem = "";
    for (let attempt = 0; attempt < RESULT_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(250 * 2 ** attempt, this.stop.signal);
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": this.settings.apiKey },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        if (res.ok) return;
        problem = `HTTP ${res.status}: ${await reasonOf(res)}`;
        // Too large to deliver: the step still learns why, instead of waiting for its timeout.
        if (res.status === 413 && result.ok) {
          body = JSON.stringify({ ok: false, error: `The tool's output was too large to send to Echos (${problem})` });
          result = { ok: false, error: problem };
          continue;
        }
        // Only the server's own trouble is worth another attempt; 404 means the wait has already ended.
        if (res.status < 500 && res.status !== 429) break;
      } catch (error) {
        problem = errorText(error);
      }
    }
    this.settings.onError(
      new Error(`The result of tool "${job.tool}" (step ${job.stepId}) was not delivered: ${problem}`),
    );
  }

  private abortJobs(reason: string): void {
    for (const controller of this.jobs.values()) controller.abort(new Error(reason));
    this.jobs.clear();
  }
}
