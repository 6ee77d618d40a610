import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { buildApp } from "../server/app.ts";
import { Lifecycle } from "../server/infra/lifecycle.ts";
import { startTestServer } from "./helpers/server.ts";

/** A raw keep-alive HTTP/1.1 connection, as a load balancer holds one. */
function rawConnection(url: string) {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = "";
  socket.on("data", (chunk) => (received += chunk.toString()));
  const closed = new Promise<string>((resolve) => socket.on("close", () => resolve(received)));
  return {
    send: (path: string) => socket.write(`GET ${path} HTTP/1.1\r\nHost: echos\r\n\r\n`),
    closed,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("graceful shutdown", () => {
  it("refuses readiness at once, lets the in-flight request finish, ends live streams and closes", async () => {
    const server = await startTestServer({
      extend(app) {
        app.get("/api/slow", async () => {
          await sleep(1500);
          return { finished: true };
        });
      },
    });
    const sse = await fetch(`${server.url}/trpc/system.status`, { headers: { accept: "text/event-stream" } });
    const reader: ReadableStreamDefaultReader<Uint8Array> = sse.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("event: connected");

    const conn = rawConnection(server.url);
    conn.send("/api/slow");
    await sleep(200);
    const started = Date.now();
    const stopping = server.shutdown("test");

    // Readiness flips at once: a probe reaching the app while it drains is answered 503.
    expect(server.deps.lifecycle.notReadyReason()).toBe("shutting down");
    const probe = await server.app.inject({ method: "GET", url: "/api/health/ready" });
    expect(probe.statusCode).toBe(503);
    // New connections are no longer accepted.
    await expect(fetch(`${server.url}/api/health/ready`)).rejects.toThrow();

    let streamText = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      streamText += new TextDecoder().decode(value);
    }
    // The subscription finished with tRPC's own end-of-stream event rather than a cut connection.
    expect(streamText).toContain("event: return");

    // The in-flight request completes, and its connection is closed instead of kept alive.
    const raw = await conn.closed;
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(raw).toMatch(/^connection: close/im);
    expect(raw).toContain('{"finished":true}');

    await stopping;
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1200);
    expect(elapsed).toBeLessThan(10_000);
    expect(server.deps.lifecycle.notReadyReason()).toBe("shutting down");
  });

  it("answers readiness 503 until migrations are applied", async () => {
    const server = await startTestServer();
    try {
      // The same services, seen through a lifecycle that has not migrated yet (a process still starting).
      const starting = await buildApp({ ...server.deps, lifecycle: new Lifecycle() }, { client: "none" });
      const before = await starting.inject({ method: "GET", url: "/api/health/ready" });
      expect(before.statusCode).toBe(503);
      expect(before.json()).toEqual({ status: "not_ready", reason: "migrations not applied yet" });
      await starting.close();
      const after = await fetch(`${server.url}/api/health/ready`);
      expect(after.status).toBe(200);
    } finally {
      await server.shutdown();
    }
  });
});
