import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineWorkflow } from "@shared/workflow/define.ts";
import { hashDefinition } from "@shared/workflow/hash.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { ZErrorBody } from "@shared/schemas/errors.ts";
import { ZRegisteredWorkflowVersion } from "@shared/schemas/workflows.ts";

describe("workflow versions", () => {
  let server: RunningServer;
  let ingestKey: string;
  let fullKey: string;

  const post = (body: unknown) =>
    fetch(`${server.url}/api/v1/workflows`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": ingestKey },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    server = await startTestServer();
    const user = await createUser(server.deps, "wf");
    const caller = callerFor(server.deps, user);
    ingestKey = (await caller.apiKeys.create({ orgId: user.orgId, name: "i", scope: "ingest" })).key;
    fullKey = (await caller.apiKeys.create({ orgId: user.orgId, name: "f", scope: "full" })).key;
  });
  afterAll(() => server.shutdown());

  it("registers a version by content hash once, and reads it back with a full key", async () => {
    const definition = defineWorkflow({
      name: `triage-${Date.now()}`,
      steps: [{ id: "classify", type: "llm", model: "echos/sim", prompt: "Classify: {{input.ticket}}" }],
    });
    const hash = hashDefinition(definition);
    const first = await post({ name: definition.name, hash, definition });
    expect(first.status).toBe(201);
    const { id } = ZRegisteredWorkflowVersion.parse(await first.json());
    expect(id).toBe(`${definition.name}@${hash.slice(0, 12)}`);
    const again = await post({ name: definition.name, hash, definition });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id, created: false });

    const read = await fetch(`${server.url}/api/v1/workflows/versions/${encodeURIComponent(id)}`, {
      headers: { "x-api-key": fullKey },
    });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id, hash, definition: { name: definition.name } });
    const denied = await fetch(`${server.url}/api/v1/workflows/versions/${encodeURIComponent(id)}`, {
      headers: { "x-api-key": ingestKey },
    });
    expect(denied.status).toBe(403);
  });

  it("refuses a hash that does not match, and an invalid definition, with 400", async () => {
    const definition = defineWorkflow({ name: "mismatch", steps: [{ id: "a", type: "code", code: "return 1" }] });
    const wrong = await post({ name: "mismatch", hash: "0".repeat(64), definition });
    expect(wrong.status).toBe(400);
    expect(ZErrorBody.parse(await wrong.json()).message).toMatch(/hash does not match/);
    const invalid = await post({
      name: "bad",
      hash: "0".repeat(64),
      definition: { name: "bad", steps: [{ id: "x", type: "teleport" }] },
    });
    expect(invalid.status).toBe(400);
    expect(ZErrorBody.parse(await invalid.json()).message).toMatch(/^Invalid workflow definition/);
  });
});
