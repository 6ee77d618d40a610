import { sql } from "drizzle-orm";
import { runs } from "../../../db/schema.ts";
import type { IngestRun, IngestSpan } from "@shared/schemas/ingest.ts";
import type { Db } from "../../infra/db.ts";
import { mergeColumns } from "./upsert-sql.ts";

const toDate = (v: string | null | undefined) => (v ? new Date(v) : null);

function runRow(orgId: string, r: IngestRun) {
  return {
    orgId,
    id: r.id,
    name: r.name,
    status: r.status,
    startedAt: new Date(r.startedAt),
    endedAt: toDate(r.endedAt),
    input: r.input ?? null,
    output: r.output ?? null,
    error: r.error ?? null,
    tags: r.tags ?? [],
    conversationId: r.conversationId ?? null,
    workflowVersionId: r.workflowVersionId ?? null,
    metadata: r.metadata ?? {},
    replayOf: r.replayOf ?? null,
    replayFromStep: r.replayOf ? (r.replayFromStep ?? null) : null,
    updatedAt: new Date(),
  };
}

/** Spans may arrive before their run: a placeholder keeps the tree whole until the run itself arrives. */
function placeholderRow(orgId: string, span: IngestSpan) {
  return {
    orgId,
    id: span.runId,
    name: span.name,
    status: "running" as const,
    startedAt: new Date(span.startedAt),
    endedAt: null,
    input: null,
    output: null,
    error: null,
    tags: [],
    conversationId: null,
    workflowVersionId: null,
    metadata: {},
    replayOf: null,
    replayFromStep: null,
    updatedAt: new Date(),
  };
}

const RUN_KEPT = [
  "ended_at",
  "input",
  "output",
  "error",
  "conversation_id",
  "workflow_version_id",
  "replay_of",
  "replay_from_step",
];
const UPSERT = mergeColumns('"runs"', "excluded", ["name", "started_at", "tags"], RUN_KEPT, { merged: ["metadata"] });
/** A continuation (an update sent without the run's identity) keeps the stored name, start, error, and tags unless sent. */
const CONTINUATION = mergeColumns('"runs"', "excluded", [], RUN_KEPT, {
  merged: ["metadata"],
  preserved: ["name", "started_at"],
  expressions: { tags: `case when cardinality(excluded.tags) = 0 then "runs".tags else excluded.tags end` },
  keepError: true,
});

/**
 * Creates the rows of every run the batch touches that does not exist yet — the sent run, or a placeholder for a
 * run only its spans name — in one statement, in id order. Returns the ids it created: the rest already existed.
 */
export async function createRuns(tx: Db, orgId: string, items: IngestRun[], spans: IngestSpan[]): Promise<Set<string>> {
  const rows = new Map<string, ReturnType<typeof runRow>>();
  for (const r of items) rows.set(r.id, runRow(orgId, r));
  for (const s of spans) if (!rows.has(s.runId)) rows.set(s.runId, placeholderRow(orgId, s));
  if (rows.size === 0) return new Set();
  const sorted = [...rows.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const created = await tx.insert(runs).values(sorted).onConflictDoNothing().returning({ id: runs.id });
  return new Set(created.map((r) => r.id));
}

/** Locks the runs' rows in id order, so batches touching several of the same runs never wait on each other in a circle. */
export async function lockRuns(tx: Db, orgId: string, runIds: string[]): Promise<void> {
  if (runIds.length < 2) return; // one row: its update takes the lock, and order cannot matter
  await tx.execute(sql`
    select 1 from runs where org_id = ${orgId}::uuid and id = any(${sql.param(runIds)}::text[])
    order by id collate "C" for update`);
}

/** Applies sent runs to rows that already existed; returns the ids of those that changed. */
export async function updateRuns(
  tx: Db,
  orgId: string,
  items: IngestRun[],
  continuing: ReadonlySet<string> = new Set(),
): Promise<Set<string>> {
  const changed = new Set<string>();
  for (const [rule, group] of [
    [UPSERT, items.filter((r) => !continuing.has(r.id))],
    [CONTINUATION, items.filter((r) => continuing.has(r.id))],
  ] as const) {
    if (group.length === 0) continue;
    const written = await tx
      .insert(runs)
      .values(group.map((r) => runRow(orgId, r)))
      .onConflictDoUpdate({ target: [runs.orgId, runs.id], set: rule.set, setWhere: rule.changed })
      .returning({ id: runs.id });
    for (const r of written) changed.add(r.id);
  }
  return changed;
}
