import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { closeLogger, createLogger, redact } from "../server/infra/logger.ts";
import { startTestServer } from "./helpers/server.ts";

const CANARY = {
  bearer: "canary-bearer-7f3a9c1d2e",
  cookie: "canary-cookie-5b8e2f0a11",
  apiKey: "echos_f_CanaryApiKey0123456789abcdefXYZ1a2b3c",
  credential: "canary-credential-sk-9d8c7b6a",
  query: "canary-query-3c2b1a0f9e",
  password: "canary-password-Tr0ub4dor&3",
  dbPassword: "canary-dbpass-4e5f6a7b",
};

describe("log redaction", () => {
  it("keeps authorization, cookies, API keys, credential headers and passwords out of every log file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "echos-logs-"));
    const log = createLogger({ env: "production", log: { level: "debug", dir, files: true, json: true } });
    const server = await startTestServer({
      log,
      extend(app) {
        app.post("/api/explode", async () => {
          throw new Error(
            `upstream refused Authorization: Bearer ${CANARY.bearer} for postgres://echos:${CANARY.dbPassword}@db/echos`,
          );
        });
      },
    });
    try {
      const secretHeaders = {
        authorization: `Bearer ${CANARY.bearer}`,
        cookie: `echos_session=${CANARY.cookie}`,
        "x-api-key": CANARY.apiKey,
        "x-user-credential-OPENAI_API_KEY": CANARY.credential,
        "content-type": "application/json",
        // A same-origin browser request: cross-site writes with a cookie are refused before any handler runs.
        "sec-fetch-site": "same-origin",
      };
      await fetch(`${server.url}/api/health?api_key=${CANARY.query}`, { headers: secretHeaders });
      await fetch(
        `${server.url}/trpc/system.health?input=${encodeURIComponent(JSON.stringify({ password: CANARY.password }))}`,
        {
          headers: secretHeaders,
        },
      );
      const exploded = await fetch(`${server.url}/api/explode`, {
        method: "POST",
        headers: secretHeaders,
        body: JSON.stringify({ email: "a@example.com", password: CANARY.password }),
      });
      expect(exploded.status).toBe(500);
      expect(JSON.stringify(await exploded.json())).not.toContain(CANARY.bearer);
      log.info("auditing a call", {
        password: CANARY.password,
        headers: { authorization: `Bearer ${CANARY.bearer}`, "x-user-credential-nylas": CANARY.credential },
        note: `key ${CANARY.apiKey} was used`,
        tokens: 42,
      });
    } finally {
      await server.shutdown();
      await closeLogger(log);
    }

    const combined = readFileSync(join(dir, "combined.log"), "utf8");
    const errors = readFileSync(join(dir, "error.log"), "utf8");
    // The logs did record the traffic: one line per request, the error, and the audit line.
    const lines = combined
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = lines.filter((l) => l.message === "request");
    expect(requests.map((r) => r.route)).toEqual(
      expect.arrayContaining(["/api/health", "/trpc/:path", "/api/explode"]),
    );
    expect(requests.find((r) => r.route === "/api/explode")).toMatchObject({
      method: "POST",
      status: 500,
      path: "/api/explode",
    });
    expect(requests.every((r) => typeof r.requestId === "string" && typeof r.durationMs === "number")).toBe(true);
    expect(errors).toContain("upstream refused Authorization: Bearer [REDACTED]");
    expect(lines.find((l) => l.message === "auditing a call")).toMatchObject({ password: "[REDACTED]", tokens: 42 });

    for (const [name, secret] of Object.entries(CANARY)) {
      expect(combined, `${name} leaked into combined.log`).not.toContain(secret);
      expect(errors, `${name} leaked into error.log`).not.toContain(secret);
    }
  });

  it("masks secret-named fields at any depth and leaves counts alone", () => {
    expect(
      redact({
        user: { email: "a@b.c", password: "pw", sessionToken: "tok" },
        list: [{ apiKey: "k" }],
        tokens: 12,
        message: "Basic dXNlcjpwYXNz",
        error: new Error('Failed query: insert into spans values ($1)\nparams: {"apiKey":"sk-live-123"}'),
      }),
    ).toEqual({
      user: { email: "a@b.c", password: "[REDACTED]", sessionToken: "[REDACTED]" },
      list: [{ apiKey: "[REDACTED]" }],
      tokens: 12,
      message: "Basic [REDACTED]",
      error: expect.objectContaining({ message: "Failed query: insert into spans values ($1)\nparams: [REDACTED]" }),
    });
  });
});
