import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT_MS, builtDist } from "./helpers/dist.ts";
import { TEST_DATABASE_URL, TEST_REDIS_URL, TEST_SERVER_NODE } from "./helpers/env.ts";
import { type SpawnedServer, spawnServer } from "./helpers/spawn-server.ts";
import { ZLivenessHealthy } from "@shared/schemas/health.ts";

const SECRET = "b".repeat(48);

/**
 * The production bundle as `npm start` runs it. With a test PostgreSQL it runs as production; on the embedded
 * defaults it runs with NODE_ENV=test, since production rightly refuses to start without DATABASE_URL.
 */
function bundleEnv(distDir: string): Record<string, string | undefined> {
  return TEST_DATABASE_URL
    ? {
        NODE_ENV: "production",
        DATABASE_URL: TEST_DATABASE_URL,
        DATABASE_SSL: "false",
        REDIS_URL: TEST_REDIS_URL,
        SESSION_SECRET: SECRET,
        ENCRYPTION_KEY: SECRET,
        LOG_DIR: join(distDir, "logs"),
      }
    : { NODE_ENV: "test", LOG_LEVEL: "warn" };
}

describe("the built server (dist/index.js)", () => {
  let distDir: string;
  let server: SpawnedServer;
  beforeAll(async () => {
    distDir = await builtDist();
    server = await spawnServer([join(distDir, "index.js")], bundleEnv(distDir));
  }, BUILD_TIMEOUT_MS);
  afterAll(() => server?.stop());

  it("is one bundle with the client, migrations and embedded database assets beside it", () => {
    const files = readdirSync(distDir);
    expect(files).toEqual(expect.arrayContaining(["index.js", "public", "migrations", "pglite.wasm", "pglite.data"]));
    expect(readdirSync(join(distDir, "public"))).toContain("index.html");
  });

  it("starts and answers readiness and health", async () => {
    expect(await (await fetch(`${server.url}/api/health/ready`)).json()).toEqual({ status: "ready" });
    const health = ZLivenessHealthy.parse(await (await fetch(`${server.url}/health`)).json());
    expect(health.status).toBe("healthy");
    expect(health.environment).toBe(TEST_DATABASE_URL ? "production" : "test");
  });

  it("serves the dashboard with a strict CSP, no inline script, and immutable hashed assets", async () => {
    const page = await fetch(`${server.url}/`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    if (TEST_DATABASE_URL) expect(page.headers.get("strict-transport-security")).toMatch(/max-age=31536000/);

    const assetPath = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(assetPath).toBeDefined();
    const asset = await fetch(`${server.url}${assetPath}`, { headers: { "accept-encoding": "gzip" } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-encoding")).toBe("gzip");
  });

  it("falls back to the SPA for client routes and answers unknown API paths with JSON 404", async () => {
    const route = await fetch(`${server.url}/system`, { headers: { accept: "text/html" } });
    expect(route.status).toBe(200);
    expect(await route.text()).toBe(readFileSync(join(distDir, "public", "index.html"), "utf8"));
    const api = await fetch(`${server.url}/api/does-not-exist`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ statusCode: 404, error: "Not Found" });
  });

  it("drains and exits 0 on SIGTERM, ending live streams cleanly", async () => {
    const sse = await fetch(`${server.url}/trpc/system.status`, { headers: { accept: "text/event-stream" } });
    const reader: ReadableStreamDefaultReader<Uint8Array> = sse.body!.getReader();
    await reader.read();
    const started = Date.now();
    server.child.kill("SIGTERM");
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain("event: return");
    expect(await server.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

/** What the Node binary that runs the built server prints for `-p expression`. */
const serverNode = (expression: string) =>
  execFileSync(TEST_SERVER_NODE, ["-p", expression], { encoding: "utf8" }).trim();
const HAS_COMPILE_CACHE = serverNode('typeof require("node:module").enableCompileCache') === "function";
/** The bundle's files that hold PGlite's code, known by the source paths esbuild notes in them. */
const PGLITE_SOURCE = /node_modules\/(@electric-sql\/pglite|drizzle-orm\/pglite)\//;

describe("starting the built server", () => {
  let distDir: string;
  const servers: SpawnedServer[] = [];
  const scratch: string[] = [];
  const tempDir = (name: string) => {
    const dir = mkdtempSync(join(tmpdir(), `echos-${name}-`));
    scratch.push(dir);
    return dir;
  };
  const start = async (dir: string, env: Record<string, string> = {}) => {
    const server = await spawnServer([join(dir, "index.js")], { ...bundleEnv(distDir), ...env });
    servers.push(server);
    return server;
  };
  beforeAll(async () => {
    distDir = await builtDist();
  }, BUILD_TIMEOUT_MS);
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  it("runs on the Node binary TEST_SERVER_NODE names", async () => {
    const server = await start(distDir);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain(`nodejs_version_info{version="${serverNode("process.version")}"`);
  });

  // Node 20 has no compile cache; .ci/run also runs this file on Node 22.
  it.skipIf(!HAS_COMPILE_CACHE)("keeps the bundle's compiled code in Node's compile cache", async () => {
    // The launcher's enableCompileCache() writes under the OS temp folder; NODE_COMPILE_CACHE would switch the
    // cache on by itself, so it stays unset to test the launcher.
    const tmp = tempDir("tmpdir");
    const server = await start(distDir, { TMPDIR: tmp });
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    const cached = readdirSync(join(tmp, "node-compile-cache"), { recursive: true, withFileTypes: true });
    expect(cached.filter((entry) => entry.isFile()).length).toBeGreaterThan(0);
  });

  // Only a start on PostgreSQL can do without PGlite; the embedded one runs on it.
  it.skipIf(!TEST_DATABASE_URL)(
    "on PostgreSQL never loads PGlite: it starts and answers without PGlite's code",
    async () => {
      const copy = tempDir("dist-without-pglite");
      cpSync(distDir, copy, { recursive: true, filter: (file) => !/\.(map|wasm|data)$/.test(file) });
      const pglite = readdirSync(copy).filter(
        (f) => f.endsWith(".js") && PGLITE_SOURCE.test(readFileSync(join(copy, f), "utf8")),
      );
      expect(pglite.length).toBeGreaterThan(0);
      expect(pglite).not.toContain("server.js");
      for (const file of pglite) rmSync(join(copy, file));

      const server = await start(copy);
      const health = await fetch(`${server.url}/api/health`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { details: { database: string } }).details.database).toBe("PostgreSQL");
    },
  );
});
