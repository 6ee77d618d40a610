import postgres from "postgres";
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
const sql = postgres(process.env.DB!, { max: 1, onnotice: () => {} });
const [{ id: orgId }] = await sql`select id from orgs limit 1`;
const runId = "r-" + randomUUID();
await sql`insert into runs (org_id, id, name, status, started_at) values (${orgId}, ${runId}, 'x', 'running', now())`;
const mk = () => ({ id: randomUUID(), run_id: runId, parent_id: null, name: "step-1", kind: "llm", status: "success",
  started_at: new Date(Date.now() - 1000).toISOString(), ended_at: new Date().toISOString(),
  input: { messages: [{ role: "user", content: "Classify this support ticket about a refund. ".repeat(8) }] },
  output: { role: "assistant", content: "billing / refund — route to the payments queue. ".repeat(6) }, config: null,
  attributes: { "gen_ai.system": "openai", attempt: 1, region: "eu-west-1" }, model: "gpt-4o-mini", input_tokens: 320, output_tokens: 80, cost_usd: 0.0001, error: null });
const cols = ["id","run_id","parent_id","name","kind","status","started_at","ended_at","input","output","config","attributes","model","input_tokens","output_tokens","cost_usd","error"];
const J = new Set(["input","output","config","attributes"]);
const types: Record<string,string> = { kind: "span_kind", status: "run_status", started_at: "timestamptz", ended_at: "timestamptz", input: "jsonb", output: "jsonb", config: "jsonb", attributes: "jsonb", input_tokens: "int4", output_tokens: "int4", cost_usd: "float8" };
const N = 40;
import { readFileSync } from "node:fs";
const [{ pid }] = await sql`select pg_backend_pid() as pid`;
const pgCpu = () => { const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" "); return (Number(f[11]) + Number(f[12])) * 10; };
async function time(label: string, f: (rows: any[]) => Promise<unknown>) {
  const batches = Array.from({ length: N }, () => Array.from({ length: 200 }, mk));
  const p0 = pgCpu(); const n0 = process.cpuUsage(); const t = performance.now();
  for (const rows of batches) await f(rows);
  const wall = performance.now() - t; const n = process.cpuUsage(n0); const pg = pgCpu() - p0;
  console.log(label.padEnd(36), "per batch: wall", (wall / N).toFixed(2), "ms; pg cpu", (pg / N).toFixed(2), "ms; node cpu", ((n.user + n.system) / 1000 / N).toFixed(2), "ms");
}
const arrType = (c: string) => (["kind","status","started_at","ended_at","input","output","config","attributes"].includes(c) ? "text" : types[c] ?? "text");
const sel = cols.map((c) => (["kind","status","started_at","ended_at","input","output","config","attributes"].includes(c) ? `u.${c}::${types[c]}` : `u.${c}`)).join(", ");
const unnestSql = (conflict: string) => `insert into spans (org_id, ${cols.join(", ")}, updated_at) select $1::uuid, ${sel}, now() from unnest(${cols.map((c, i) => `$${i + 2}::${arrType(c)}[]`).join(", ")}) as u(${cols.join(", ")}) ${conflict} returning id`;
const params = (rows: any[]) => [orgId, ...cols.map((c) => rows.map((r) => (J.has(c) ? (r[c] == null ? null : JSON.stringify(r[c])) : r[c])))];
await time("unnest, on conflict do nothing", (rows) => sql.unsafe(unnestSql("on conflict (org_id, id) do nothing"), params(rows)));
await time("unnest, plain insert", (rows) => sql.unsafe(unnestSql(""), params(rows)));
const recCols = cols.map((c) => `${c} ${types[c] ?? "text"}`).join(", ");
await time("json_to_recordset, do nothing", (rows) => sql.unsafe(`insert into spans (org_id, ${cols.join(", ")}, updated_at) select $1::uuid, ${cols.join(", ")}, now() from json_to_recordset($2::json) as x(${recCols}) on conflict (org_id, id) do nothing returning id`, [orgId, rows as any]));
await time("jsonb_to_recordset, do nothing", (rows) => sql.unsafe(`insert into spans (org_id, ${cols.join(", ")}, updated_at) select $1::uuid, ${cols.join(", ")}, now() from jsonb_to_recordset($2::jsonb) as x(${recCols}) on conflict (org_id, id) do nothing returning id`, [orgId, rows as any]));
const esc = (v: unknown) => v == null ? "\\N" : String(v).replaceAll("\\", "\\\\").replaceAll("\t", "\\t").replaceAll("\n", "\\n");
await time("COPY (one stream, all rows)", async () => {}); 
{ const all = Array.from({ length: N * 200 }, mk); const p0 = pgCpu(); const n0 = process.cpuUsage(); const t = performance.now();
  const w = await sql`copy spans (org_id, ${sql.unsafe(cols.join(", "))}) from stdin`.writable(); await pipeline(Readable.from(all.map((r) => [orgId, ...cols.map((c) => J.has(c) ? (r[c] == null ? null : JSON.stringify(r[c])) : r[c])].map(esc).join("\t") + "\n")), w);
  const n = process.cpuUsage(n0); console.log("COPY all rows, per 200".padEnd(36), "per batch: wall", ((performance.now() - t) / N).toFixed(2), "ms; pg cpu", ((pgCpu() - p0) / N).toFixed(2), "ms; node cpu", ((n.user + n.system) / 1000 / N).toFixed(2), "ms"); }
await time("COPY 200 rows", async (rows) => { const w = await sql`copy spans (org_id, ${sql.unsafe(cols.join(", "))}) from stdin`.writable(); await pipeline(Readable.from(rows.map((r) => [orgId, ...cols.map((c) => J.has(c) ? (r[c] == null ? null : JSON.stringify(r[c])) : r[c])].map(esc).join("\t") + "\n")), w); });
await time("json_to_recordset in tx + commit", (rows) => sql.begin((tx) => tx.unsafe(`insert into spans (org_id, ${cols.join(", ")}, updated_at) select $1::uuid, ${cols.join(", ")}, now() from json_to_recordset($2::json) as x(${recCols}) on conflict (org_id, id) do nothing returning id`, [orgId, rows as any])));
await time("unnest in tx + commit", (rows) => sql.begin((tx) => tx.unsafe(unnestSql("on conflict (org_id, id) do nothing"), params(rows))));
await sql.end();
