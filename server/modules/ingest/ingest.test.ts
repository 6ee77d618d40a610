import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../../tests/helpers/factories.ts";
import { startTestServer } from "../../../tests/helpers/server.ts";
import type { RunningServer } from "../../server.ts";
import { rowsOf } from "../../infra/db.ts";
import { ingest } from "./ingest.ts";

const uid = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;
const at = (s: number) => new Date(Date.UTC(2026, 10, 1, 10, 0, s)).toISOString();

type Totals = {
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  span_count: number;
  error_count: number;
};

/** Token totals are int8 and cost float8, which the drivers may read as strings. */
const asNumbers = (row: Totals): Totals => ({
  ...row,
  input_tokens: Number(row.input_tokens),
  output_tokens: Number(row.output_tokens),
  cost_usd: Number(row.cost_usd),
});

describe("ingest", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.shutdown());

  const totals = async (orgId: string, runId: string) => {
    const [row] = rowsOf<Totals>(
      await server.deps.database.db.execute(sql`
        select input_tokens, output_tokens, cost_usd, span_count, error_count from runs
        where org_id = ${orgId}::uuid and id = ${runId}`),
    );
    return asNumbers(row!);
  };
  const recounted = async (orgId: string, runId: string) => {
    const [row] = rowsOf<Totals>(
      await server.deps.database.db.execute(sql`
        select coalesce(sum(input_tokens), 0)::int as input_tokens, coalesce(sum(output_tokens), 0)::int as output_tokens,
          coalesce(sum(cost_usd), 0)::float8 as cost_usd, count(*)::int as span_count,
          (count(*) filter (where status = 'error'))::int as error_count
        from spans where org_id = ${orgId}::uuid and run_id = ${runId}`),
    );
    return asNumbers(row!);
  };

  it("keeps a run's totals equal to its spans when batches of one run are written at the same time", async () => {
    const { orgId } = await createUser(server.deps, "ingest-concurrent");
    const runId = uid("run");
    const span = (i: number, end: boolean) => ({
      type: "span",
      id: `span-${i}`,
      runId,
      name: `step ${i}`,
      kind: "llm",
      startedAt: at(i),
      ...(end
        ? {
            status: i % 3 === 0 ? "error" : "success",
            endedAt: at(i + 1),
            inputTokens: 10 + i,
            outputTokens: i,
            costUsd: 0.001,
          }
        : { status: "running" }),
    });
    // Each span's start and its end in different requests, all in flight together, in both orders.
    const batches = Array.from({ length: 8 }, (_, i) => [span(i, false)]).concat(
      Array.from({ length: 8 }, (_, i) => [span(7 - i, true)]),
    );
    const outcomes = await Promise.all(batches.map((items) => ingest(server.deps, orgId, items)));
    expect(outcomes.every((o) => o.rejected === 0)).toBe(true);

    const expected = {
      input_tokens: [...Array(8).keys()].reduce((n, i) => n + 10 + i, 0),
      output_tokens: 28,
      span_count: 8,
      error_count: 3,
    };
    expect(await totals(orgId, runId)).toMatchObject(expected);
    expect((await totals(orgId, runId)).cost_usd).toBeCloseTo(0.008, 10);
    expect(await totals(orgId, runId)).toMatchObject(await recounted(orgId, runId));
  });

  it("moves a span's share of the totals when it is sent again under another run", async () => {
    const { orgId } = await createUser(server.deps, "ingest-move");
    const [first, second] = [uid("run"), uid("run")];
    const item = (runId: string) => ({
      type: "span",
      id: "moving",
      runId,
      name: "step",
      startedAt: at(0),
      status: "error",
      inputTokens: 5,
    });
    await ingest(server.deps, orgId, [item(first)]);
    await ingest(server.deps, orgId, [item(second)]);
    expect(await totals(orgId, first)).toMatchObject({ input_tokens: 0, span_count: 0, error_count: 0 });
    expect(await totals(orgId, second)).toMatchObject({ input_tokens: 5, span_count: 1, error_count: 1 });
  });

  it("writes concurrent batches sharing spans and runs in opposite orders without a deadlock", async () => {
    const { orgId } = await createUser(server.deps, "ingest-order");
    const runIds = [uid("run"), uid("run"), uid("run")];
    const items = runIds.flatMap((runId, r) => [
      { type: "run", id: runId, name: "agent", startedAt: at(r), status: "success" },
      ...Array.from({ length: 30 }, (_, i) => ({
        type: "span",
        id: `${runId}-s${i}`,
        runId,
        name: "step",
        startedAt: at(i),
        status: "success",
        outputTokens: 1,
      })),
    ]);
    const reversed = [...items].reverse();
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => ingest(server.deps, orgId, i % 2 === 0 ? items : reversed)),
    );
    expect(outcomes.map((o) => o.rejected)).toEqual([0, 0, 0, 0, 0, 0]);
    for (const runId of runIds) expect(await totals(orgId, runId)).toMatchObject({ output_tokens: 30, span_count: 30 });
  });

  it("stores spans whose strings hold lone surrogates with U+FFFD in their place, beside their neighbours", async () => {
    const { orgId } = await createUser(server.deps, "ingest-surrogates");
    const runId = uid("run");
    const outcome = await ingest(server.deps, orgId, [
      { type: "span", id: "lone", runId, name: "a\ud800b", startedAt: at(0), input: { text: "\udc00 tail" } },
      { type: "span", id: "fine", runId, name: "step 😀", startedAt: at(1), input: { text: "ok" } },
    ]);
    expect(outcome.results.map((r) => r.status)).toEqual(["created", "created"]);
    const rows = rowsOf<{ id: string; name: string; input: unknown }>(
      await server.deps.database.db.execute(sql`
        select id, name, input from spans where org_id = ${orgId}::uuid and run_id = ${runId} order by id`),
    );
    expect(rows).toEqual([
      { id: "fine", name: "step 😀", input: { text: "ok" } },
      { id: "lone", name: "a\ufffdb", input: { text: "\ufffd tail" } },
    ]);
  });
});
