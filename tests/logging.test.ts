import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CREDENTIAL } from "@shared/workflow/steps.ts";
import type { AppDeps } from "../server/deps.ts";
import { apiKeyDeps } from "../server/http/request-deps.ts";
import { requireApiKey } from "../server/http/require-api-key.ts";
import { closeLogger, createLogger, redact } from "../server/infra/logger.ts";
import type { RunningServer } from "../server/server.ts";
import { createInnerContext } from "../server/trpc/context.ts";
import { authedProcedure, createCallerFactory, orgProcedure, router } from "../server/trpc/init.ts";
import { type TestUser, callerFor, createUser } from "./helpers/factories.ts";
import { capturingLogger } from "./helpers/capturing-logger.ts";
import { startTestServer } from "./helpers/server.ts";
import { eventually } from "./helpers/smtp-server.ts";
import { ZSummaryWritten } from "@shared/schemas/conversations.ts";
import { trpcResult } from "./helpers/trpc-wire.ts";

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

/** Stands for any service: it logs through the deps it was handed and names nothing about the request itself. */
function serviceThatLogs(deps: Pick<AppDeps, "log">, message: string) {
  deps.log.info(message);
  return { ok: true };
}

describe("per-request logging", () => {
  const { lines, log } = capturingLogger();
  let server: RunningServer;
  let owner: TestUser;
  let apiKey: { id: string; key: string };
  const requestId = () => `req-${randomBytes(6).toString("hex")}`;
  /** The first line with this message and (when given) request id, once the logger has written it. */
  const lineSaying = (message: string, id?: string) =>
    eventually(
      `a line "${message}"`,
      () => lines.find((l) => l.message === message && (id === undefined || l.requestId === id)),
      5_000,
    );

  beforeAll(async () => {
    server = await startTestServer({
      log,
      extend(app) {
        app.get("/api/v1/log-probe", async (req) => {
          const key = await requireApiKey(server.deps, req, "ingest");
          return serviceThatLogs(apiKeyDeps(server.deps, req, key), "probe over REST");
        });
      },
    });
    owner = await createUser(server.deps, "logger");
    apiKey = await callerFor(server.deps, owner).apiKeys.create({ orgId: owner.orgId, name: "sdk" });
  });
  afterAll(() => server?.shutdown());

  it("gives a service's line during a tRPC request that request's id, user and organisation", async () => {
    // A conversation whose summary falls back to extraction: its stored credential was sealed with a retired key.
    const conversationId = `conv-${randomBytes(4).toString("hex")}`;
    const runId = `run-${randomBytes(4).toString("hex")}`;
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const ingested = await fetch(`${server.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": apiKey.key },
      body: JSON.stringify({
        items: [
          { type: "run", id: runId, name: "chat", status: "success", startedAt: at, endedAt: at, conversationId },
          {
            type: "span",
            id: `${runId}-llm`,
            runId,
            name: "reply",
            kind: "llm",
            status: "success",
            startedAt: at,
            endedAt: at,
            model: "gpt-4o-mini",
            input: { messages: [{ role: "user", content: "Where is my order?" }] },
            output: "On its way.",
          },
        ],
      }),
    });
    expect(ingested.status).toBe(207);
    await callerFor(server.deps, owner).credentials.save({
      orgId: owner.orgId,
      name: DEFAULT_CREDENTIAL,
      provider: "openai-compatible",
      baseUrl: "http://127.0.0.1:9/v1",
      apiKey: "sk-never-used",
    });
    await server.deps.database.db.execute(
      sql`update provider_credentials set key_id = 'retired-key' where org_id = ${owner.orgId}::uuid`,
    );

    const id = requestId();
    const res = await fetch(`${server.url}/trpc/conversations.summarize`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${owner.token}`, "x-request-id": id },
      body: JSON.stringify({ orgId: owner.orgId, conversationId }),
    });
    expect(res.status).toBe(200);
    expect(trpcResult(ZSummaryWritten).parse(await res.json()).result.data.source).toBe("extractive");

    // By request id: the background summary job may have summarised the same conversation meanwhile.
    const line = await lineSaying("Conversation summary: provider failed, extracted instead", id);
    expect(line).toMatchObject({ level: "warn", requestId: id, userId: owner.userId, orgId: owner.orgId });
  });

  it("adds the organisation to services' lines once an organisation procedure has checked it, and only then", async () => {
    const probe = router({
      inOrg: orgProcedure("viewer").query(({ ctx }) => serviceThatLogs(ctx.deps, "probe in an organisation")),
      signedIn: authedProcedure.query(({ ctx }) => serviceThatLogs(ctx.deps, "probe signed in")),
    });
    const id = requestId();
    const caller = createCallerFactory(probe)(
      createInnerContext(server.deps, { requestId: id, session: owner.session }),
    );
    await caller.inOrg({ orgId: owner.orgId });
    await caller.signedIn();

    expect(await lineSaying("probe in an organisation")).toMatchObject({
      requestId: id,
      userId: owner.userId,
      orgId: owner.orgId,
    });
    const signedIn = await lineSaying("probe signed in");
    expect(signedIn).toMatchObject({ requestId: id, userId: owner.userId });
    expect(signedIn).not.toHaveProperty("orgId");
  });

  it("gives a service's line during an API-key request that request's id, organisation and key", async () => {
    const id = requestId();
    const res = await fetch(`${server.url}/api/v1/log-probe`, {
      headers: { "x-api-key": apiKey.key, "x-request-id": id },
    });
    expect(res.status).toBe(200);
    expect(await lineSaying("probe over REST")).toMatchObject({
      requestId: id,
      orgId: owner.orgId,
      keyId: apiKey.id,
    });
    // The app's own logger, as handed to the routes, stays without any one request's metadata.
    serviceThatLogs(server.deps, "probe outside a request");
    expect(await lineSaying("probe outside a request")).not.toHaveProperty("requestId");
  });
});

describe("a failed query in the log", () => {
  it("is one short line: the statement's start, its parameters' types and the database's code, no values", async () => {
    const dir = mkdtempSync(join(tmpdir(), "echos-logs-"));
    const log = createLogger({ env: "production", log: { level: "info", dir, files: true, json: true } });
    const value = "canary-param-6d5c4b3a";
    const columns = sql.raw(Array.from({ length: 200 }, (_, i) => `${i} as column_${i}`).join(", "));
    const server = await startTestServer({
      log,
      extend(app) {
        app.get("/api/test/bad-query", async () => {
          // 3 KB of statement, a parameter PostgreSQL refuses and quotes back in its message.
          await server.deps.database.db.execute(
            sql`select ${columns} from runs where name = ${value} and org_id = ${`not-a-uuid-${value}`}::uuid`,
          );
          return { ok: true };
        });
      },
    });
    try {
      expect((await fetch(`${server.url}/api/test/bad-query`)).status).toBe(500);
    } finally {
      await server.shutdown();
      await closeLogger(log);
    }
    const line = readFileSync(join(dir, "error.log"), "utf8")
      .split("\n")
      .find((l) => l.includes('"Request failed"'));
    expect(line).toBeDefined();
    console.log(`a failed query's log line: ${Buffer.byteLength(line!)} bytes`);
    expect(Buffer.byteLength(line!)).toBeLessThan(600);
    expect(line).not.toContain(value);
    expect(JSON.parse(line!)).toMatchObject({
      route: "/api/test/bad-query",
      error: {
        message: "Failed query",
        statement: expect.stringMatching(/^select 0 as column_0, 1 as column_1, .*… \(\d+ chars\)$/),
        parameters: ["string", "string"],
        code: "22P02",
      },
    });
  });
});

describe("variables the server does not need", () => {
  it("logs one line naming ECHOS_SYSTEM_API_KEY and ECHOS_API_KEY as not needed, and never their values", async () => {
    const { lines, log } = capturingLogger();
    const values = ["echos_f_SystemReplayKey0123456789abcdefXYZ", "echos_f_SdkKeyOnTheServer0123456789abcdeXYZ"];
    const server = await startTestServer({ log, env: { ECHOS_SYSTEM_API_KEY: values[0], ECHOS_API_KEY: values[1] } });
    await server.shutdown();
    const about = lines.filter((l) => /ECHOS_(SYSTEM_)?API_KEY/.test(JSON.stringify(l)));
    expect(about).toHaveLength(1);
    expect(about[0]).toMatchObject({
      level: "info",
      message: expect.stringMatching(/^ECHOS_SYSTEM_API_KEY and ECHOS_API_KEY are set but not needed: .*replays/),
    });
    for (const value of values) expect(JSON.stringify(lines)).not.toContain(value);
  }, 60_000);
});
