import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HealthReport } from "@shared/schemas/health.ts";
import { createInnerContext } from "../server/trpc/context.ts";
import { type AppRouter, createCaller } from "../server/trpc/router.ts";
import type { RunningServer } from "../server/server.ts";
import { createUser } from "./helpers/factories.ts";
import { startTestServer } from "./helpers/server.ts";
import { ZTrpcError } from "./helpers/trpc-wire.ts";

describe("tRPC", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.shutdown());

  it("answers system.health through createCaller without a request", async () => {
    const caller = createCaller(createInnerContext(server.deps));
    const report = await caller.system.health();
    expect(report).toMatchObject({ status: "ok", ready: true, instanceId: server.deps.instance.id });
    expect(report.services.database).toBe("ok");
  });

  it("lists this instance once its heartbeat ran", async () => {
    await server.deps.jobs.run("instance-heartbeat");
    const user = await createUser(server.deps, "instances");
    const caller = createCaller(createInnerContext(server.deps, { session: user.session }));
    const instances = await caller.system.instances();
    expect(instances.map((i) => i.id)).toContain(server.deps.instance.id);
  });

  it("batches queries over HTTP and streams the status subscription over SSE", async () => {
    const user = await createUser(server.deps, "batch");
    const client = createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({ url: `${server.url}/trpc`, EventSource }),
          false: httpBatchLink({ url: `${server.url}/trpc`, headers: { cookie: `echos_session=${user.token}` } }),
        }),
      ],
    });
    const [health, instances] = await Promise.all([client.system.health.query(), client.system.instances.query()]);
    expect(health.status).toBe("ok");
    expect(Array.isArray(instances)).toBe(true);

    const events: { id: string; data: HealthReport }[] = [];
    await new Promise<void>((resolve, reject) => {
      const sub = client.system.status.subscribe(undefined, {
        onData(event) {
          events.push(event);
          // The first event arrives at once; a change of the store's state pushes the next.
          if (events.length === 2) {
            sub.unsubscribe();
            resolve();
          }
        },
        onError: reject,
      });
      setTimeout(() => reject(new Error(`only ${events.length} status events in 8 s`)), 8000);
    });
    expect(events[0]?.data.instanceId).toBe(server.deps.instance.id);
    expect(events[0]?.id).toBe(events[0]?.data.timestamp);
    expect(Date.parse(events[1]!.data.timestamp)).toBeGreaterThan(Date.parse(events[0]!.data.timestamp));
  });

  it("answers invalid input with BAD_REQUEST and the flattened zod issues", async () => {
    const res = await fetch(`${server.url}/trpc/system.health?input=${encodeURIComponent('"unexpected"')}`);
    expect(res.status).toBe(400);
    const body = ZTrpcError.parse(await res.json());
    expect(body.error.data.code).toBe("BAD_REQUEST");
    expect(body.error.data.zodError).not.toBeNull();
  });
});
