import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs, spans, usage } from "../../db/schema.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { ZIngestResponse } from "@shared/schemas/ingest.ts";

const now = () => new Date().toISOString();
const uid = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;

describe("POST /api/v1/ingest", () => {
  let server: RunningServer;
  let user: TestUser;
  let key: string;

  const ingest = (items: unknown, apiKey = key) =>
    fetch(`${server.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": apiKey },
      body: JSON.stringify({ items }),
    });

  beforeAll(async () => {
    server = await startTestServer();
    user = await createUser(server.deps, "ingest");
    key = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "sdk", scope: "ingest" })).key;
  });
  afterAll(() => server.shutdown());

  it("accepts runs and spans with 207 and one result per item, keeping good items beside bad ones", async () => {
    const runId = uid("run");
    const res = await ingest([
      { type: "run", id: runId, name: "triage", startedAt: now(), input: { ticket: 42 }, tags: ["prod"] },
      {
        type: "span",
        id: uid("span"),
        runId,
        name: "classify",
        kind: "llm",
        startedAt: now(),
        model: "gpt-4o-mini",
        inputTokens: 12,
      },
      { type: "span", id: "bad", runId, name: "", startedAt: "yesterday" },
      { type: "nonsense" },
    ]);
    expect(res.status).toBe(207);
    const body = ZIngestResponse.parse(await res.json());
    const errors = body.results.map((r) => (r.status === "error" ? r.error : undefined));
    expect(body.accepted).toBe(2);
    expect(body.rejected).toBe(2);
    expect(body.results.map((r) => r.status)).toEqual(["created", "created", "error", "error"]);
    expect(errors[2]).toMatch(/name: .*; startedAt: must be an ISO 8601 timestamp/);
    expect(errors[3]).toMatch(/^type: /);
    const [stored] = await server.deps.database.db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.id, runId)));
    expect(stored).toMatchObject({ name: "triage", status: "running", input: { ticket: 42 }, tags: ["prod"] });
  });

  it("is idempotent: a re-sent batch changes nothing and says so", async () => {
    const runId = uid("run");
    const items = [
      {
        type: "run",
        id: runId,
        name: "idem",
        startedAt: "2026-01-01T00:00:00.000Z",
        status: "success",
        endedAt: "2026-01-01T00:00:01.000Z",
      },
      { type: "span", id: uid("span"), runId, name: "step", startedAt: "2026-01-01T00:00:00.000Z", status: "success" },
    ];
    const first = ZIngestResponse.parse(await (await ingest(items)).json());
    const again = ZIngestResponse.parse(await (await ingest(items)).json());
    expect(first.results.map((r) => r.status)).toEqual(["created", "created"]);
    expect(again.results.map((r) => r.status)).toEqual(["unchanged", "unchanged"]);
    const count = await server.deps.database.db.$count(spans, and(eq(spans.orgId, user.orgId), eq(spans.runId, runId)));
    expect(count).toBe(1);
  });

  it("keeps a span's start fields when its end arrives, and children may come before parents", async () => {
    const runId = uid("run");
    const parent = uid("parent");
    const child = uid("child");
    await ingest([
      {
        type: "span",
        id: child,
        runId,
        parentId: parent,
        name: "tool call",
        kind: "tool",
        startedAt: now(),
        input: { q: "x" },
      },
    ]);
    // The run does not exist yet: a placeholder keeps the tree whole.
    const [placeholder] = await server.deps.database.db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.id, runId)));
    expect(placeholder?.status).toBe("running");
    const end = await ingest([
      {
        type: "span",
        id: child,
        runId,
        parentId: parent,
        name: "tool call",
        kind: "tool",
        startedAt: now(),
        status: "success",
        endedAt: now(),
        output: { a: 1 },
      },
      { type: "span", id: parent, runId, name: "agent", startedAt: now() },
      { type: "run", id: runId, name: "late run", startedAt: now() },
    ]);
    expect(ZIngestResponse.parse(await end.json()).results.map((r) => r.status)).toEqual([
      "updated",
      "created",
      "updated",
    ]);
    const [stored] = await server.deps.database.db
      .select()
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.id, child)));
    expect(stored).toMatchObject({ status: "success", input: { q: "x" }, output: { a: 1 }, parentId: parent });
    // A late copy of the start does not reopen the finished span.
    await ingest([
      { type: "span", id: child, runId, name: "tool call", kind: "tool", startedAt: now(), status: "running" },
    ]);
    const [after] = await server.deps.database.db
      .select()
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.id, child)));
    expect(after?.status).toBe("success");
  });

  it("counts usage per organisation and month", async () => {
    const other = await createUser(server.deps, "usage");
    const otherKey = (
      await callerFor(server.deps, other).apiKeys.create({ orgId: other.orgId, name: "k", scope: "ingest" })
    ).key;
    const runId = uid("run");
    await ingest(
      [
        { type: "run", id: runId, name: "r", startedAt: now() },
        { type: "span", id: uid("s"), runId, name: "a", startedAt: now() },
        { type: "span", id: uid("s"), runId, name: "b", startedAt: now() },
      ],
      otherKey,
    );
    const [row] = await server.deps.database.db.select().from(usage).where(eq(usage.orgId, other.orgId));
    expect(row).toMatchObject({ period: new Date().toISOString().slice(0, 7), runs: 1, spans: 2 });
  });

  it("refuses bad keys with 401, oversize batches with 413, and a malformed envelope with 400", async () => {
    expect((await ingest([{ type: "run" }], "echos_i_nope")).status).toBe(401);
    const tooMany = await ingest(
      Array.from({ length: 1001 }, (_, i) => ({ type: "run", id: `r${i}`, name: "x", startedAt: now() })),
    );
    expect(tooMany.status).toBe(413);
    const huge = await fetch(`${server.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify({
        items: [{ type: "run", id: "big", name: "x", startedAt: now(), input: "x".repeat(6 * 1024 * 1024) }],
      }),
    });
    expect(huge.status).toBe(413);
    const envelope = await fetch(`${server.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify({ runs: [] }),
    });
    expect(envelope.status).toBe(400);
    const broken = await fetch(`${server.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: "{not json",
    });
    expect(broken.status).toBe(400);
  });

  it("never writes into another organisation, whatever ids are sent", async () => {
    const runId = uid("shared-id");
    const other = await createUser(server.deps, "isolated");
    const otherKey = (
      await callerFor(server.deps, other).apiKeys.create({ orgId: other.orgId, name: "k", scope: "ingest" })
    ).key;
    await ingest([{ type: "run", id: runId, name: "mine", startedAt: now() }]);
    const theirs = ZIngestResponse.parse(
      await (await ingest([{ type: "run", id: runId, name: "theirs", startedAt: now() }], otherKey)).json(),
    );
    expect(theirs.results[0]?.status).toBe("created");
    const [mine] = await server.deps.database.db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.id, runId)));
    expect(mine?.name).toBe("mine");
  });
});
