import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type ReplayOutcome = "success" | "error" | "refused";
export interface QueueDepth {
  kind: string;
  depth: number;
}
export interface DbPoolUsage {
  active: number;
  idle: number;
}

/**
 * Prometheus metrics of one server instance, in a registry of its own (two apps in one process — tests —
 * never mix their numbers). Sources owned by other parts (the job queue, the database pool) are read at
 * scrape time through the hooks below, so nothing polls between scrapes.
 */
export interface Metrics {
  registry: Registry;
  requestDuration: Histogram<"method" | "route" | "status">;
  spansIngested: Counter;
  liveConnections: Gauge;
  replays: Counter<"outcome">;
  jobQueueDepth: Gauge<"kind">;
  /** Called at every scrape; the depths it returns replace the previous ones. */
  setQueueDepthSource(source: () => Promise<QueueDepth[]>): void;
  /** The pool's size, and how to read its use at scrape time (left out where the driver cannot tell). */
  setDbPool(max: number, usage?: () => Promise<DbPoolUsage>): void;
}

const PREFIX = "echos_";

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  let queueDepthSource: (() => Promise<QueueDepth[]>) | null = null;
  let dbPoolUsage: (() => Promise<DbPoolUsage>) | undefined;

  const jobQueueDepth = new Gauge({
    name: `${PREFIX}job_queue_depth`,
    help: "Jobs waiting in the durable queue, by kind",
    labelNames: ["kind"] as const,
    registers,
    async collect() {
      if (!queueDepthSource) return;
      const depths = await queueDepthSource();
      this.reset();
      for (const { kind, depth } of depths) this.set({ kind }, depth);
    },
  });

  const dbPoolMax = new Gauge({
    name: `${PREFIX}db_pool_max`,
    help: "Largest number of database connections this instance opens",
    registers,
  });
  new Gauge({
    name: `${PREFIX}db_pool_connections`,
    help: "Open database connections of this instance, by state (active: running a query)",
    labelNames: ["state"] as const,
    registers,
    async collect() {
      if (!dbPoolUsage) return;
      const { active, idle } = await dbPoolUsage();
      this.set({ state: "active" }, active);
      this.set({ state: "idle" }, idle);
    },
  });

  return {
    registry,
    requestDuration: new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: "HTTP request duration by route pattern and status",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    spansIngested: new Counter({
      name: `${PREFIX}spans_ingested_total`,
      help: "Spans accepted through the ingest API and OTLP",
      registers,
    }),
    liveConnections: new Gauge({
      name: `${PREFIX}live_connections`,
      help: "Open live-event streams (dashboards following runs)",
      registers,
    }),
    replays: new Counter({
      name: `${PREFIX}replays_total`,
      help: "Replays by outcome",
      labelNames: ["outcome"] as const,
      registers,
    }),
    jobQueueDepth,
    setQueueDepthSource(source) {
      queueDepthSource = source;
    },
    setDbPool(max, usage) {
      dbPoolMax.set(max);
      dbPoolUsage = usage;
    },
  };
}
