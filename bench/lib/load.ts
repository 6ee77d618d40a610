import { createRequire } from "node:module";

/** The slice of autocannon's result this bench reads (it ships no types; @types/autocannon is not installed). */
interface Stats {
  average: number;
  p50: number;
  p99: number;
  total: number;
}
interface AutocannonResult {
  requests: Stats;
  latency: Stats;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  pipelining: number;
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

export const LOAD = { connections: 50, duration: 10, warmup: 3, pipelining: 1 } as const;

export interface Throughput {
  url: string;
  rps: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
}

/** A discarded warm-up (JIT, connection pools, caches), then the measured run. */
export async function measure(url: string): Promise<Throughput> {
  const { connections, pipelining } = LOAD;
  await autocannon({ url, connections, pipelining, duration: LOAD.warmup });
  const r = await autocannon({ url, connections, pipelining, duration: LOAD.duration });
  return {
    url,
    rps: Math.round(r.requests.average),
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}
