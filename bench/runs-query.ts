// npm run bench:runs — the Runs view's queries on 100,000 runs of one organisation (plus 50,000 of another):
// the query plan (EXPLAIN ANALYZE) and the median time of each filter combination and sort order, the overview's aggregation, and
// as a baseline the cheapest possible read of a page: the same 51 rows fetched by primary key.
// Needs PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) is used to create and
// drop a scratch database.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { createDatabase, rowsOf } from "../server/infra/db.ts";
import { MemoryStore } from "../server/infra/store/memory.ts";
import { listRuns, runListQuery } from "../server/modules/runs/list.ts";
import { overview } from "../server/modules/runs/service.ts";
import { median, printTable, round } from "./lib/report.ts";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const RUNS = Number(process.env.BENCH_RUNS ?? 100_000);
const REPEAT = 20;

const scratch = `echos_bench_runs_${process.pid}`;
const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${scratch}`);
const url = new URL(ADMIN_URL);
url.pathname = `/${scratch}`;
// Filling 150,000 rows on a busy machine can take longer than the server's default statement timeout.
const database = await createDatabase({
  database: { url: url.toString(), ssl: false, poolMax: 4, statementTimeoutMs: 600_000 },
});
const store = new MemoryStore();
const deps = { database, store };

try {
  await database.migrate();
  const db = database.db;
  const orgId = randomUUID();
  const otherOrg = randomUUID();
  await db.execute(sql`insert into orgs (id, name) values (${orgId}::uuid, 'bench'), (${otherOrg}::uuid, 'other')`);
  const started = performance.now();
  // Thirty days of runs: 88 % success, 8 % error, 4 % running; five workflows; a few tags; ticket-like inputs.
  const fill = (org: string, count: number) =>
    db.execute(sql`
      insert into runs (org_id, id, name, status, started_at, ended_at, input, output, error, tags,
        workflow_version_id, conversation_id, input_tokens, output_tokens, cost_usd, span_count, replay_of)
      select ${org}::uuid, 'run-' || g, (array['triage', 'refund', 'research', 'chat', 'onboarding'])[1 + g % 5] || ' agent',
        case when g % 25 = 0 then 'running' when g % 12 = 0 then 'error' else 'success' end::run_status,
        now() - (g * (30 * 86400.0 / ${count})) * interval '1 second',
        case when g % 25 = 0 then null else now() - (g * (30 * 86400.0 / ${count})) * interval '1 second'
          + (200 + g % 5000) * interval '1 millisecond' end,
        jsonb_build_object('ticket', (array['refund for order', 'parcel is late', 'cannot log in', 'invoice is wrong',
          'upgrade my plan', 'cancel subscription'])[1 + g % 6] || ' ' || g),
        to_jsonb('handled ticket ' || g),
        case when g % 12 = 0 and g % 25 <> 0 then 'Order not found' end,
        array[(array['prod', 'beta'])[1 + g % 2], 'tier-' || (array['free', 'pro', 'gold'])[1 + g % 3]],
        (array['triage', 'refund', 'research', 'chat', 'onboarding'])[1 + g % 5] || '@abcdefabcdef',
        case when g % 10 < 3 then 'conv-' || (g / 10) end,
        300 + g % 700, 50 + g % 200, 0.0001 * (g % 50), 3 + g % 8,
        case when g % 100 = 7 then 'run-' || (g - 7) end
      from generate_series(1, ${count}) g`);
  // BENCH_WITHOUT_SORT_INDEXES=1 measures the sort orders as they were before their indexes (migration 0012).
  if (process.env.BENCH_WITHOUT_SORT_INDEXES === "1")
    await db.execute(sql`drop index runs_org_duration_idx, runs_org_tokens_idx, runs_org_cost_idx`);
  await fill(orgId, RUNS);
  await fill(otherOrg, RUNS / 2);
  await db.execute(sql`analyze runs`);
  console.log(`Inserted ${RUNS} + ${RUNS / 2} runs in ${round((performance.now() - started) / 1000, 1)} s`);

  const firstPage = await listRuns(deps, orgId, { limit: 50 });
  const deep = async () => {
    let cursor: string | null = firstPage.nextCursor;
    for (let i = 0; i < 20 && cursor; i++) cursor = (await listRuns(deps, orgId, { limit: 50, cursor })).nextCursor;
    return cursor;
  };
  const deepCursor = await deep();
  const costCursor = (await listRuns(deps, orgId, { limit: 50, sort: "cost", dir: "asc" })).nextCursor;
  const now = Date.now();
  const scenarios: [string, Parameters<typeof listRuns>[2]][] = [
    ["first page, no filter", { limit: 50 }],
    ["page 22 (cursor)", { limit: 50, cursor: deepCursor }],
    ["status = error", { limit: 50, status: "error" }],
    ["workflow = refund", { limit: 50, workflow: "refund" }],
    ["tag = tier-gold", { limit: 50, tag: "tier-gold" }],
    ["last 24 h", { limit: 50, from: new Date(now - 86_400_000).toISOString() }],
    ["text 'invoice'", { limit: 50, q: "invoice" }],
    ["text 'invoice' + error", { limit: 50, q: "invoice", status: "error" }],
    ["text '12345' (one run)", { limit: 50, q: "12345" }],
    ["status=running + 7 d", { limit: 50, status: "running", from: new Date(now - 7 * 86_400_000).toISOString() }],
    ["replays only", { limit: 50, origin: "replays" }],
    ["all, replays included", { limit: 50, origin: "all" }],
    ["sort cost desc", { limit: 50, sort: "cost", dir: "desc" }],
    ["sort cost asc, page 2", { limit: 50, sort: "cost", dir: "asc", cursor: costCursor }],
    ["sort duration desc", { limit: 50, sort: "duration", dir: "desc" }],
    ["sort tokens asc", { limit: 50, sort: "tokens", dir: "asc" }],
    ["sort cost + status = error", { limit: 50, sort: "cost", dir: "desc", status: "error" }],
    ["sort tokens + workflow", { limit: 50, sort: "tokens", dir: "desc", workflow: "refund" }],
  ];

  const time = async (fn: () => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const t = performance.now();
      await fn();
      samples.push(performance.now() - t);
    }
    return round(median(samples), 2);
  };

  // Baseline: the same number of rows fetched by primary key, the least any page read can cost.
  const ids = firstPage.items.map((r) => r.id);
  const baseline = await time(() =>
    db.execute(sql`select * from runs where org_id = ${orgId}::uuid and id = any(${sql.param(ids)}::text[])`),
  );

  const rows: (string | number)[][] = [];
  for (const [name, input] of scenarios) {
    const ms = await time(() => listRuns(deps, orgId, input));
    const plan = rowsOf<{ "QUERY PLAN": string }>(
      await db.execute(sql`explain (analyze, costs off, timing off, summary off) ${runListQuery(orgId, input)}`),
    ).map((r) => r["QUERY PLAN"]);
    rows.push([name, ms, round(ms / baseline, 1)]);
    console.log(`\n── ${name}\n${plan.join("\n")}`);
  }
  for (const range of ["24h", "7d", "30d"] as const) {
    const ms = await time(() => overview(deps, orgId, range));
    rows.push([`overview ${range}`, ms, round(ms / baseline, 1)]);
  }
  printTable(
    `Runs view on ${RUNS.toLocaleString("en")} runs (median of ${REPEAT}, PostgreSQL, ms); baseline: 51 rows by primary key = ${baseline} ms`,
    ["query", "ms", "× baseline"],
    rows,
  );
} finally {
  await database.close();
  await store.close();
  await admin.unsafe(`drop database if exists ${scratch} with (force)`);
  await admin.end();
}
