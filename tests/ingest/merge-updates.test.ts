import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs, spans } from "../../db/schema.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";

const now = () => new Date().toISOString();
const uid = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;

/** A run or span sent again with only some of its attributes or metadata keeps the keys it did not send. */
describe("resent runs and spans add to their attributes and metadata", () => {
  let server: RunningServer;
  let user: TestUser;
  let key: string;

  const ingest = (items: unknown) =>
    fetch(`${server.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify({ items }),
    });

  beforeAll(async () => {
    server = await startTestServer();
    user = await createUser(server.deps, "merge");
    key = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "sdk", scope: "ingest" })).key;
  });
  afterAll(() => server.shutdown());

  it("keeps a span's attributes and a run's metadata across a later item that sends other keys or none", async () => {
    const runId = uid("run");
    const spanId = uid("span");
    const startedAt = now();
    const span = { type: "span", id: spanId, runId, name: "step", kind: "tool", startedAt };
    const run = { type: "run", id: runId, name: "job", startedAt };
    expect(
      (
        await ingest([
          { ...run, metadata: { team: "search", region: "eu" } },
          { ...span, attributes: { "http.url": "https://example.com", retries: 0 } },
        ])
      ).status,
    ).toBe(207);
    expect(
      (
        await ingest([
          { ...run, status: "success", endedAt: now(), metadata: { region: "us" } },
          { ...span, status: "success", endedAt: now(), attributes: { retries: 2 } },
        ])
      ).status,
    ).toBe(207);
    expect((await ingest([{ ...span, status: "success", endedAt: now() }])).status).toBe(207);

    const db = server.deps.database.db;
    const [storedRun] = await db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.id, runId)));
    const [storedSpan] = await db
      .select()
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.id, spanId)));
    expect(storedRun!.metadata).toEqual({ team: "search", region: "us" });
    expect(storedRun!.status).toBe("success");
    expect(storedSpan!.attributes).toEqual({ "http.url": "https://example.com", retries: 2 });
    expect(storedSpan!.status).toBe("success");
  });
});
