import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZErrorBody } from "@shared/schemas/errors.ts";
import type { WorkflowDefinitionInput } from "@shared/workflow/define.ts";
import type { RunningServer } from "../server/server.ts";
import { type TestUser, callerFor, createUser } from "./helpers/factories.ts";
import { capturingLogger } from "./helpers/capturing-logger.ts";
import { startTestServer } from "./helpers/server.ts";
import { ZTrpcError } from "./helpers/trpc-wire.ts";
import { fullKey, recordRun } from "./replay/helpers.ts";

/** Ids with NUL, other control characters or beyond their length: refused as the caller's mistake, never a 500. */
describe("hostile ids", () => {
  const { lines, log } = capturingLogger();
  let server: RunningServer;
  let owner: TestUser;
  let key: string;
  const errorLines = () => lines.filter((l) => l.level === "error");

  beforeAll(async () => {
    server = await startTestServer({ log });
    owner = await createUser(server.deps, "hostile");
    key = await fullKey(server.deps, owner);
  });
  afterAll(() => server.shutdown());

  const restPaths = [
    "/api/v1/workflows/versions/a%00b",
    "/api/v1/replays/a%00b",
    "/api/v1/runs/a%00b/recording",
    "/api/v1/replays/a%01b",
    `/api/v1/runs/${"r".repeat(129)}/recording`,
  ];
  it.each(restPaths)("GET %s answers 400 with a readable reason", async (path) => {
    const res = await fetch(`${server.url}${path}`, { headers: { "x-api-key": key } });
    expect(res.status).toBe(400);
    const body = ZErrorBody.parse(await res.json());
    expect(body.message).toMatch(/id must/);
  });

  it("POST /api/v1/runs/:runId/replays with a NUL in the run id answers 400", async () => {
    const res = await fetch(`${server.url}/api/v1/runs/a%00b/replays`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({ forkStep: "one" }),
    });
    expect(res.status).toBe(400);
  });

  const trpcCalls: [string, Record<string, unknown>][] = [
    ["runs.get", { runId: "a\u0000" }],
    ["runs.span", { runId: "a", spanId: "b\u0000" }],
    ["replays.get", { replayId: "a\u0000" }],
    ["replays.plan", { runId: "a\u0000" }],
    ["conversations.get", { conversationId: "c\u0000" }],
    // Not an id: every input of every procedure is refused with a NUL in it, since PostgreSQL refuses it.
    ["conversations.list", { q: "needle\u0000" }],
    ["runs.list", { q: "x\u0000" }],
  ];
  it.each(trpcCalls)("tRPC %s with a NUL in its input answers BAD_REQUEST", async (path, input) => {
    const query = encodeURIComponent(JSON.stringify({ orgId: owner.orgId, ...input }));
    const res = await fetch(`${server.url}/trpc/${path}?input=${query}`, {
      headers: { cookie: `echos_session=${owner.token}` },
    });
    expect(res.status).toBe(400);
    const body = ZTrpcError.parse(await res.json());
    expect(body.error.data.code).toBe("BAD_REQUEST");
  });

  it("orgs.create with a NUL in the name answers BAD_REQUEST", async () => {
    const res = await fetch(`${server.url}/trpc/orgs.create`, {
      method: "POST",
      headers: {
        cookie: `echos_session=${owner.token}`,
        "content-type": "application/json",
        "sec-fetch-site": "same-origin",
      },
      body: JSON.stringify({ name: "a\u0000b" }),
    });
    expect(res.status).toBe(400);
    expect(ZTrpcError.parse(await res.json()).error.message).toMatch(/NUL/);
  });

  it("replays.stream for an unknown replay, or another organisation's, is NOT_FOUND and logs no error", async () => {
    const workflow: WorkflowDefinitionInput = {
      name: "hostile-ids",
      steps: [{ id: "one", type: "llm", model: "echos/sim", prompt: "Hello {{input.who}}" }],
    };
    const runId = await recordRun(server.url, key, workflow, { who: "you" });
    const caller = callerFor(server.deps, owner);
    const { token } = await caller.replays.token({ orgId: owner.orgId, runId });
    const { replayId } = await caller.replays.start({
      orgId: owner.orgId,
      token,
      request: { mode: "workflow", runId, forkStep: "one", overrides: {} },
    });
    const stranger = await createUser(server.deps, "stranger");
    const before = errorLines().length;
    for (const [who, replay] of [
      [owner, "no-such-replay"],
      [stranger, replayId],
    ] as const) {
      const input = encodeURIComponent(JSON.stringify({ orgId: who.orgId, replayId: replay }));
      const res = await fetch(`${server.url}/trpc/replays.stream?input=${input}`, {
        headers: { cookie: `echos_session=${who.token}` },
      });
      // A subscription answers with an event stream; its error arrives as tRPC's `serialized-error` event.
      const text = await res.text();
      const data = /event: serialized-error\ndata: (.*)\n/.exec(text)?.[1];
      expect(data, text).toBeDefined();
      expect(ZTrpcError.shape.error.parse(JSON.parse(data!)).data.code).toBe("NOT_FOUND");
    }
    expect(errorLines().slice(before)).toEqual([]);
  });
});
