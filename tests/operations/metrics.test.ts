import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../server/server.ts";
import { signUpOverHttp } from "../helpers/http-user.ts";
import { startTestServer } from "../helpers/server.ts";
import { openSubscription } from "../helpers/sse.ts";
import { ZErrorBody } from "@shared/schemas/errors.ts";

const TOKEN = "metrics-token-for-tests-0123456789";

/** An address of this machine that is not loopback: requests to it arrive from a non-loopback socket. */
const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && !i.internal && i.family === "IPv4")?.address;

/** The value of one sample line (`name{labels} value`), or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

let server: RunningServer;
let port: string;

beforeAll(async () => {
  // Listening on every interface, so the non-loopback address reaches it too.
  server = await startTestServer({ env: { HOST: "0.0.0.0", METRICS_TOKEN: TOKEN } });
  port = new URL(server.url).port;
});
afterAll(async () => {
  await server?.shutdown();
});

const scrape = async (headers: Record<string, string> = {}, host = "127.0.0.1") =>
  fetch(`http://${host}:${port}/metrics`, { headers });

describe("GET /metrics", () => {
  it("serves Prometheus text to a loopback caller without a token", async () => {
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    for (const name of [
      "echos_http_request_duration_seconds",
      "echos_spans_ingested_total",
      "echos_live_connections",
      "echos_replays_total",
      "echos_job_queue_depth",
      "echos_db_pool_max",
      "nodejs_eventloop_lag_seconds",
    ])
      expect(text).toContain(`# TYPE ${name}`);
  });

  it("labels request durations by route pattern and status, never by the raw path", async () => {
    await fetch(`${server.url}/api/keys/some-key-id-12345`, { method: "DELETE" });
    const text = await (await scrape()).text();
    expect(text).toMatch(
      /echos_http_request_duration_seconds_count\{method="DELETE",route="\/api\/keys\/:id",status="4\d\d"\} 1/,
    );
    expect(text).not.toContain("some-key-id-12345");
  });

  it("counts accepted spans and open live streams", async () => {
    const { key, token, orgId } = await signUpOverHttp(server.url, "metrics");
    const before = sample(await (await scrape()).text(), "echos_spans_ingested_total") ?? 0;
    const at = new Date().toISOString();
    const ingest = await fetch(`${server.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify({
        items: [
          { type: "run", id: "m-run", name: "m", startedAt: at, status: "running" },
          { type: "span", id: "m-1", runId: "m-run", name: "a", kind: "llm", startedAt: at },
          { type: "span", id: "m-2", runId: "m-run", name: "b", kind: "tool", startedAt: at },
          { type: "span", id: "m-bad", runId: "m-run", name: "c", kind: "nonsense", startedAt: at },
        ],
      }),
    });
    expect(ingest.status).toBe(207);
    expect(sample(await (await scrape()).text(), "echos_spans_ingested_total")).toBe(before + 2);

    const stream = await openSubscription(server.url, "runs.live", { orgId }, { cookie: `echos_session=${token}` });
    try {
      await stream.waitFor((e) => e.event === "connected");
      expect(sample(await (await scrape()).text(), "echos_live_connections")).toBe(1);
    } finally {
      stream.close();
    }
  });

  it("reports the queue depth from the registered source", async () => {
    server.deps.metrics.setQueueDepthSource(async () => [{ kind: "summaries", depth: 7 }]);
    const text = await (await scrape()).text();
    expect(sample(text, 'echos_job_queue_depth{kind="summaries"}')).toBe(7);
  });

  it("refuses a loopback request that came through a proxy, without a token", async () => {
    const res = await scrape({ "x-forwarded-for": "203.0.113.9" });
    expect(res.status).toBe(401);
    expect(ZErrorBody.parse(await res.json()).message).toContain("METRICS_TOKEN");
  });

  it("refuses a wrong token with 401", async () => {
    const res = await scrape({ authorization: "Bearer not-the-token-at-all" });
    expect(res.status).toBe(401);
    expect(ZErrorBody.parse(await res.json()).message).toBe("The metrics token is not valid");
  });

  // Needs a second, non-loopback interface on this machine to call from.
  it.skipIf(!externalAddress)("refuses a remote caller without the token and admits one with it", async () => {
    const refused = await scrape({ "x-forwarded-for": "127.0.0.1" }, externalAddress);
    expect(refused.status).toBe(401);
    const admitted = await scrape({ authorization: `Bearer ${TOKEN}` }, externalAddress);
    expect(admitted.status).toBe(200);
    expect(await admitted.text()).toContain("# TYPE echos_spans_ingested_total counter");
  });
});

describe("GET /metrics without METRICS_TOKEN", () => {
  let bare: RunningServer;
  beforeAll(async () => {
    bare = await startTestServer({ env: { HOST: "0.0.0.0" } });
  });
  afterAll(async () => {
    await bare?.shutdown();
  });

  it.skipIf(!externalAddress)("answers a remote caller 403 with how to allow it", async () => {
    const res = await fetch(`http://${externalAddress}:${new URL(bare.url).port}/metrics`);
    expect(res.status).toBe(403);
    expect(ZErrorBody.parse(await res.json()).message).toContain("set METRICS_TOKEN");
  });
});
