import { sql } from "drizzle-orm";
import type { WorkflowList, WorkflowSummary } from "@shared/schemas/workflow-catalog.ts";
import type { AppDeps } from "../../deps.ts";
import { rowsOf } from "../../infra/db.ts";

type Row = {
  id: string;
  name: string;
  hash: string;
  registered: boolean;
  step_count: number | string | null;
  first_ms: number;
  last_ms: number;
  runs: number | string;
  errors: number | string;
  last_run_ms: number | null;
};

const iso = (ms: number | string) => new Date(Number(ms)).toISOString();

/**
 * Every workflow of the organisation with its versions: those registered by the SDK and those only named by runs
 * (sent by code that never registered its definition). Counts are over production runs; replays are not traffic.
 */
export async function listWorkflows({ database }: Pick<AppDeps, "database">, orgId: string): Promise<WorkflowList> {
  const rows = rowsOf<Row>(
    await database.db.execute<Row>(sql`
      with registered as (
        select v.id, w.name, v.hash, v.created_at,
          case when jsonb_typeof(v.definition -> 'steps') = 'array' then jsonb_array_length(v.definition -> 'steps') end
            as step_count
        from workflow_versions v join workflows w on w.id = v.workflow_id
        where v.org_id = ${orgId}::uuid
      ), used as (
        select workflow_version_id as id, workflow as name, count(*) as runs,
          count(*) filter (where status = 'error') as errors, min(started_at) as first_run, max(started_at) as last_run
        from runs
        where org_id = ${orgId}::uuid and replay_of is null and workflow is not null
        group by workflow_version_id, workflow
      )
      select coalesce(r.id, u.id) as id, coalesce(r.name, u.name) as name,
        coalesce(r.hash, split_part(u.id, '@', 2)) as hash, r.id is not null as registered, r.step_count,
        (extract(epoch from least(r.created_at, u.first_run)) * 1000)::float8 as first_ms,
        (extract(epoch from coalesce(u.last_run, r.created_at)) * 1000)::float8 as last_ms,
        coalesce(u.runs, 0) as runs, coalesce(u.errors, 0) as errors,
        (extract(epoch from u.last_run) * 1000)::float8 as last_run_ms
      from registered r full join used u on u.id = r.id
      order by last_ms desc, id`),
  );
  const byName = new Map<string, WorkflowSummary>();
  for (const r of rows) {
    const runs = Number(r.runs);
    const errors = Number(r.errors);
    const lastRunAt = r.last_run_ms === null ? null : iso(r.last_run_ms);
    let workflow = byName.get(r.name);
    if (!workflow) {
      workflow = { name: r.name, runs: 0, errors: 0, lastRunAt: null, versions: [] };
      byName.set(r.name, workflow);
    }
    workflow.runs += runs;
    workflow.errors += errors;
    if (lastRunAt && (!workflow.lastRunAt || lastRunAt > workflow.lastRunAt)) workflow.lastRunAt = lastRunAt;
    workflow.versions.push({
      id: r.id,
      hash: r.hash,
      registered: Boolean(r.registered),
      stepCount: r.step_count === null ? null : Number(r.step_count),
      firstSeen: iso(r.first_ms),
      lastSeen: iso(r.last_ms),
      runs,
      errors,
      lastRunAt,
    });
  }
  // Most recently active first; workflows never run after those that ran, by name.
  const workflows = [...byName.values()].sort(
    (a, b) => (b.lastRunAt ?? "").localeCompare(a.lastRunAt ?? "") || a.name.localeCompare(b.name),
  );
  return { workflows };
}
