import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../server/server.ts";
import { TEST_REDIS_URL } from "./helpers/env.ts";
import { startTestServer } from "./helpers/server.ts";
import { ZHealthReport, ZLivenessHealthy, ZSyncHealth, ZSyncHealthSummary } from "@shared/schemas/health.ts";
import { createUser } from "./helpers/factories.ts";
import { ZTrpcError } from "./helpers/trpc-wire.ts";

/** A random private address: one of 16 million, so runs sharing a Redis within a window do not collide. */
function uniqueClient(): string {
  const octet = () => Math.floor(Math.random() * 256);
  return `10.${octet()}.${octet()}.${octet()}`;
}

function fixtureClient(): string {
  const dir = mkdtempSync(join(tmpdir(), "echos-public-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(
    join(dir, "index.html"),
    '<!doctype html><html><head><script type="module" src="/assets/app-1a2b3c.js"></script></head><body><div id="root"></div></body></html>',
  );
  writeFileSync(join(dir, "assets", "app-1a2b3c.js"), `console.log(${JSON.stringify("x".repeat(4000))});`);
  writeFileSync(join(dir, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  return dir;
}

describe("HTTP surface", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({
      client: "built",
      publicDir: fixtureClient(),
      env: { RATE_LIMIT_MAX: "1000", BODY_LIMIT_BYTES: "2048", CORS_ORIGINS: "https://allowed.example.com" },
    });
  });
  afterAll(() => server.shutdown());

  it("answers /health in the deployment guide's shape, with the version", async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    const body = ZLivenessHealthy.parse(await res.json());
    expect(body).toMatchObject({
      status: "healthy",
      environment: "test",
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    expect(typeof body.uptime).toBe("number");
    expect(Date.parse(String(body.timestamp))).not.toBeNaN();
  });

  it("reports each service on /api/health and readiness on /api/health/ready", async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    // Strict services: the equality below also proves there is no service beyond the three.
    const body = ZHealthReport.extend({ services: ZHealthReport.shape.services.strict() }).parse(await res.json());
    expect(body.status).toBe("ok");
    expect(body.services).toEqual({
      database: "ok",
      redis: TEST_REDIS_URL ? "ok" : "not_configured",
      email: "not_configured",
    });
    const ready = await fetch(`${server.url}/api/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  it("reports background jobs on /api/sync/health", async () => {
    const res = await fetch(`${server.url}/api/sync/health`);
    expect(res.status).toBe(200);
    const body = ZSyncHealth.parse(await res.json());
    expect(body.status).toBe("healthy");
    expect(body.jobs.map((j) => j.name)).toContain("instance-heartbeat");
  });

  it("tells an anonymous remote caller of /api/sync/health and system.instances the verdict only", async () => {
    // Through a proxy, so not this host: no session, no metrics token.
    const remote = { "x-forwarded-for": "203.0.113.9" };
    const anonymous = await fetch(`${server.url}/api/sync/health`, { headers: remote });
    expect(anonymous.status).toBe(200);
    const summary: unknown = await anonymous.json();
    expect(Object.keys(ZSyncHealthSummary.parse(summary)).sort()).toEqual(Object.keys(summary as object).sort());
    expect(summary).not.toHaveProperty("instanceId");

    const user = await createUser(server.deps, "sync-health");
    const signedIn = await fetch(`${server.url}/api/sync/health`, {
      headers: { ...remote, cookie: `echos_session=${user.token}` },
    });
    expect(ZSyncHealth.parse(await signedIn.json()).instanceId).toBe(server.deps.instance.id);

    const instances = await fetch(`${server.url}/trpc/system.instances`, { headers: remote });
    expect(instances.status).toBe(401);
    const listed = await fetch(`${server.url}/trpc/system.instances`, {
      headers: { ...remote, cookie: `echos_session=${user.token}` },
    });
    expect(listed.status).toBe(200);
  });

  it("answers unknown API paths with a JSON 404, never the SPA", async () => {
    for (const path of ["/api/nothing-here", "/trpc/system.nothing", "/v1/unknown"]) {
      const res = await fetch(`${server.url}${path}`, { headers: { accept: "text/html" } });
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toMatch(/application\/json/);
    }
  });

  it("serves the SPA for client routes with no-cache, and hashed assets as immutable", async () => {
    const page = await fetch(`${server.url}/runs/abc?status=error`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(await page.text()).toContain('<div id="root">');

    const asset = await fetch(`${server.url}/assets/app-1a2b3c.js`, { headers: { "accept-encoding": "gzip" } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");

    const icon = await fetch(`${server.url}/favicon.svg`);
    expect(icon.headers.get("cache-control")).toBe("no-cache");
  });

  it("sends a CSP without inline script, and the other security headers, on HTML", async () => {
    const res = await fetch(`${server.url}/`, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const csp = res.headers.get("content-security-policy") ?? "";
    const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src"));
    expect(scriptSrc?.trim()).toBe("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("permissions-policy")).toContain("camera=()");
    // HSTS only in production, where TLS terminates in front of us.
    expect(res.headers.get("strict-transport-security")).toBeNull();
  });

  it("compresses responses with gzip", async () => {
    const res = await fetch(`${server.url}/assets/app-1a2b3c.js`, { headers: { "accept-encoding": "gzip" } });
    expect(res.headers.get("content-encoding")).toBe("gzip");
  });

  it("answers CORS preflights for listed origins only", async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/trpc/system.health`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "GET" },
      });
    const allowed = await preflight("https://allowed.example.com");
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://allowed.example.com");
    const denied = await preflight("https://evil.example.com");
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses bodies over the limit with 413 and a readable reason", async () => {
    const res = await fetch(`${server.url}/trpc/system.health`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ padding: "x".repeat(5000) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      statusCode: 413,
      message: "Request body is larger than the limit of 2048 bytes",
    });
  });

  it("answers malformed calls with a readable 4xx, not 500", async () => {
    const wrongMethod = await fetch(`${server.url}/trpc/system.health`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(wrongMethod.status).toBe(405);
    const badInput = await fetch(`${server.url}/trpc/system.health?input=${encodeURIComponent("{broken")}`);
    expect(badInput.status).toBe(400);
    const body = ZTrpcError.parse(await badInput.json());
    expect(body.error.message).toMatch(/JSON/);
  });

  it("tags every response with a request id, keeping a well-formed one from the caller", async () => {
    const res = await fetch(`${server.url}/health`, { headers: { "x-request-id": "lb-1234" } });
    expect(res.headers.get("x-request-id")).toBe("lb-1234");
    const generated = await fetch(`${server.url}/health`, { headers: { "x-request-id": "bad id with spaces" } });
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("rate limiting", () => {
  let server: RunningServer;
  beforeAll(async () => {
    // Behind a trusted proxy each test is its own client, so runs sharing one Redis never count together.
    server = await startTestServer({
      env: { RATE_LIMIT_MAX: "5", RATE_LIMIT_WINDOW_MS: "60000", TRUST_PROXY: "true" },
    });
  });
  afterAll(() => server.shutdown());

  it("answers 429 with Retry-After and RateLimit headers once the window is used up", async () => {
    const headers = { "x-forwarded-for": uniqueClient() };
    const call = () => fetch(`${server.url}/trpc/system.health`, { headers });
    const first = await call();
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit-limit")).toBe("5");
    expect(first.headers.get("ratelimit-remaining")).toBe("4");
    for (let i = 0; i < 4; i++) expect((await call()).status).toBe(200);
    const limited = await call();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({
      statusCode: 429,
      message: expect.stringMatching(/^Rate limit exceeded/),
    });
  });

  it("never limits the health probes", async () => {
    const headers = { "x-forwarded-for": uniqueClient() };
    for (let i = 0; i < 8; i++) expect((await fetch(`${server.url}/api/health/ready`, { headers })).status).toBe(200);
  });
});

// Two instances only share a window when they share a Redis; the in-memory store is per process by design.
describe.skipIf(!TEST_REDIS_URL)("rate limiting across instances", () => {
  it("counts requests to two instances against one window", async () => {
    const env = { RATE_LIMIT_MAX: "4", RATE_LIMIT_WINDOW_MS: "60000", TRUST_PROXY: "true" };
    const [a, b] = await Promise.all([startTestServer({ env }), startTestServer({ env })]);
    try {
      const headers = { "x-forwarded-for": uniqueClient() };
      const statuses: number[] = [];
      for (const s of [a, b, a, b, a]) statuses.push((await fetch(`${s.url}/trpc/system.health`, { headers })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
    } finally {
      await Promise.all([a.shutdown(), b.shutdown()]);
    }
  });
});
