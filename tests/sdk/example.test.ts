import { spawn } from "node:child_process";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs, spans, workflowVersions } from "../../db/schema.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";

describe("examples/support-triage.ts", () => {
  let server: RunningServer;
  let user: TestUser;
  let key: string;
  beforeAll(async () => {
    server = await startTestServer();
    user = await createUser(server.deps, "example");
    key = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "example", scope: "ingest" }))
      .key;
  });
  afterAll(() => server.shutdown());

  // Three tickets: each a run (sent at start and end) and five steps (each sent at start and end): 36 items.
  it("runs with one command and records three runs with every step, under a registered workflow version", async () => {
    // Asynchronously: the server answering it lives in this process.
    const child = spawn(process.execPath, ["--import", "tsx", "examples/support-triage.ts"], {
      env: { PATH: process.env.PATH, ECHOS_API_KEY: key, ECHOS_API_URL: server.url },
    });
    const result = { stdout: "", stderr: "", status: null as number | null };
    child.stdout.on("data", (c: Buffer) => (result.stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (result.stderr += c.toString()));
    result.status = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Sent 36 items to .* \(0 failed, 0 dropped\)/);

    const recorded = await server.deps.database.db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.name, "support-triage")));
    expect(recorded).toHaveLength(3);
    expect(recorded.every((r) => r.status === "success" && r.conversationId?.startsWith("ticket-"))).toBe(true);
    const versions = await server.deps.database.db
      .select()
      .from(workflowVersions)
      .where(eq(workflowVersions.orgId, user.orgId));
    expect(versions.map((v) => v.id)).toEqual([recorded[0]!.workflowVersionId]);
    const steps = await server.deps.database.db
      .select()
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.runId, recorded[0]!.id)));
    expect(steps.map((s) => `${s.name}:${s.kind}:${s.status}`).sort()).toEqual([
      "classify:llm:success",
      "draft:llm:success",
      "order:tool:success",
      "send:tool:success",
      "urgency:code:success",
    ]);
  });
});
