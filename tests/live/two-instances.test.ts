import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunsEvent } from "@shared/schemas/runs.ts";
import { BUILD_TIMEOUT_MS, builtDist } from "../helpers/dist.ts";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "../helpers/env.ts";
import { signUpOverHttp } from "../helpers/http-user.ts";
import { type SpawnedServer, spawnServer } from "../helpers/spawn-server.ts";
import { messages, openSubscription, type TestStream } from "../helpers/sse.ts";
import { ZRunPage } from "@shared/schemas/runs.ts";
import { trpcResult } from "../helpers/trpc-wire.ts";

const runIds = (stream: TestStream) =>
  messages<RunsEvent>(stream).flatMap(({ data }) => (data.type === "runs" ? data.runs.map((r) => r.id) : []));

// Two processes share state only through PostgreSQL and Redis; the embedded defaults are single-instance by design.
describe.skipIf(!TEST_DATABASE_URL || !TEST_REDIS_URL)("live events across two server processes", () => {
  const servers: SpawnedServer[] = [];
  const streams: TestStream[] = [];
  let distDir: string;
  beforeAll(async () => {
    distDir = await builtDist();
  }, BUILD_TIMEOUT_MS);
  afterAll(async () => {
    for (const s of streams) s.close();
    await Promise.all(servers.map((s) => s.stop()));
  });

  it("delivers runs ingested through one instance to a browser connected to the other, and resumes after a drop", async () => {
    const env = {
      NODE_ENV: "test",
      LOG_LEVEL: "error",
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      RATE_LIMIT_MAX: "100000",
    };
    const bundle = join(distDir, "index.js");
    const [a, b] = await Promise.all([spawnServer([bundle], env), spawnServer([bundle], env)]);
    servers.push(a, b);
    const { token, key, orgId } = await signUpOverHttp(a.url, "two-instances");
    const cookie = { cookie: `echos_session=${token}` };
    const listUrl = `${b.url}/trpc/runs.list?input=${encodeURIComponent(JSON.stringify({ orgId, limit: 1 }))}`;
    const list = trpcResult(ZRunPage).parse(await (await fetch(listUrl, { headers: cookie })).json());

    const ids = Array.from({ length: 40 }, (_, i) => `two-${Date.now()}-${i}`);
    const ingest = async (id: string) => {
      const res = await fetch(`${a.url}/api/v1/ingest`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": key },
        body: JSON.stringify({ items: [{ type: "run", id, name: id, startedAt: new Date().toISOString() }] }),
      });
      expect(res.status).toBe(207);
    };

    // The browser on B follows from the list it rendered, while A ingests one run after another.
    const first = await openSubscription(b.url, "runs.live", { orgId, lastEventId: list.result.data.eventId }, cookie);
    streams.push(first);
    const produce = async (from: number, to: number) => {
      for (const id of ids.slice(from, to)) await ingest(id);
    };
    await produce(0, 20);
    // Mid-stream the connection drops; runs keep coming while it is away; the client comes back with the last id
    // it saw, as EventSource does, and then follows live again.
    const lastSeen = await first.waitFor((e) => e.event === "message" && e.data.includes(ids[9]!), {
      timeoutMs: 20_000,
    });
    first.close();
    await produce(20, 30);
    const second = await openSubscription(b.url, "runs.live", { orgId, lastEventId: lastSeen.id }, cookie);
    streams.push(second);
    await produce(30, 40);
    await second.waitFor((e) => e.event === "message" && e.data.includes(ids.at(-1)!), { timeoutMs: 20_000 });

    const beforeDrop = runIds(first);
    const cut = beforeDrop.indexOf(ids[9]!);
    const received = [...beforeDrop.slice(0, cut + 1), ...runIds(second)];
    expect(received).toEqual(ids);
  });
});
