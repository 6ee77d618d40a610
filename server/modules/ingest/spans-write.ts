import { sql } from "drizzle-orm";
import type { IngestSpan } from "@shared/schemas/ingest.ts";
import { rowsOf } from "../../infra/db.ts";
import type { Db } from "../../infra/db.ts";
import { mergeColumns } from "./upsert-sql.ts";

/** What a span adds to its run's totals. */
export interface Contribution {
  runId: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  error: boolean;
  /** A model call (a model and tokens) with no known cost. */
  unpriced: boolean;
  /** The span's model, as stored: after a merge, the one its start reported. */
  model: string | null;
}

/** A span the batch created or changed, with what it added to its run before and after (none before: new). */
export interface SpanChange {
  id: string;
  inserted: boolean;
  before: Contribution | null;
  after: Contribution;
}

/** Columns of `spans` as the ingest item names them: the items go to the database as they are. */
const COLUMNS = [
  ["id", "id", "text"],
  ["run_id", "runId", "text"],
  ["parent_id", "parentId", "text"],
  ["name", "name", "text"],
  ["kind", "kind", "span_kind"],
  ["status", "status", "run_status"],
  ["started_at", "startedAt", "timestamptz"],
  ["ended_at", "endedAt", "timestamptz"],
  ["input", "input", "jsonb"],
  ["output", "output", "jsonb"],
  ["config", "config", "jsonb"],
  ["attributes", "attributes", "jsonb"],
  ["model", "model", "text"],
  ["input_tokens", "inputTokens", "int4"],
  ["output_tokens", "outputTokens", "int4"],
  ["cost_usd", "costUsd", "float8"],
  ["error", "error", "text"],
] as const;
const NAMES = COLUMNS.map(([name]) => name).join(", ");
const RECORD = sql.raw(COLUMNS.map(([, field, type]) => `"${field}" ${type}`).join(", "));
const SELECT = sql.raw(
  COLUMNS.map(
    ([name, field]) => (name === "attributes" ? `coalesce(u."${field}", '{}')` : `u."${field}"`) + ` as ${name}`,
  ).join(", "),
);
/**
 * The columns a resent span replaces, those it only fills in (its end does not erase its start's input), and its
 * attributes, whose keys add to those stored (an update naming a few attributes does not erase the others).
 */
const KEPT = [
  "parent_id",
  "ended_at",
  "input",
  "output",
  "config",
  "model",
  "input_tokens",
  "output_tokens",
  "cost_usd",
  "error",
];
const UPSERT = mergeColumns("s", "n", ["run_id", "name", "kind", "started_at"], KEPT, { merged: ["attributes"] });
/** A continuation (an update sent without the span's identity) keeps the stored name, kind, start and error. */
const CONTINUATION = mergeColumns("s", "n", ["run_id"], KEPT, {
  merged: ["attributes"],
  preserved: ["name", "kind", "started_at"],
  keepError: true,
});
const CONTRIBUTION = sql.raw("id, run_id, status, model, input_tokens, output_tokens, cost_usd");

type ContributionRow = {
  id: string;
  run_id: string;
  status: string;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
};

const contributionOf = (r: ContributionRow): Contribution => ({
  runId: r.run_id,
  inputTokens: Number(r.input_tokens ?? 0),
  outputTokens: Number(r.output_tokens ?? 0),
  costUsd: Number(r.cost_usd ?? 0),
  error: r.status === "error",
  unpriced: isUnpriced(r.model, r.input_tokens, r.output_tokens, r.cost_usd),
  model: r.model,
});

/** A model call whose cost is not known: it has a model and tokens, and no cost (none sent, no price found). */
export const isUnpriced = (
  model: string | null | undefined,
  inputTokens: number | null | undefined,
  outputTokens: number | null | undefined,
  costUsd: number | null | undefined,
) => Boolean(model) && (inputTokens != null || outputTokens != null) && costUsd == null;

/**
 * The spans as one JSON document: one string to write and one document for the database to parse, whatever the
 * size of the batch, with the payloads (input, output, config, attributes) never encoded twice. It is sent as text
 * (then cast), so both drivers pass it through as it is. A JSON null or a missing field reads as SQL null. The
 * items hold nothing the database refuses (NUL, lone surrogates, numbers beyond their column): validation saw to it.
 */
function spanRows(orgId: string, items: IngestSpan[]) {
  return sql`select ${orgId}::uuid as org_id, ${SELECT}
    from jsonb_to_recordset(${sql.param(JSON.stringify(items))}::text::jsonb) as u(${RECORD})`;
}

/**
 * Writes the spans and returns those that changed, with their contributions before and after. New spans are inserted
 * first, in id order: two batches inserting the same new spans then wait on each other in one order, never in a
 * circle. The ones already stored are then locked (in id order too), read and updated, so what they contributed
 * before is exactly what the totals take back, whatever other batches of the same run do meanwhile, on any instance.
 */
export async function writeSpans(
  tx: Db,
  orgId: string,
  items: IngestSpan[],
  continuing: ReadonlySet<string> = new Set(),
): Promise<SpanChange[]> {
  const changes: SpanChange[] = [];
  const created = new Set(
    rowsOf<{ id: string }>(
      await tx.execute<{ id: string }>(sql`
        insert into spans (org_id, ${sql.raw(NAMES)}, updated_at)
        select *, now() from (${spanRows(orgId, items)}) n
        order by id collate "C"
        on conflict (org_id, id) do nothing
        returning id`),
    ).map((r) => r.id),
  );
  const stored: IngestSpan[] = [];
  for (const s of items) {
    if (!created.has(s.id)) stored.push(s);
    else
      changes.push({
        id: s.id,
        inserted: true,
        before: null,
        after: {
          runId: s.runId,
          inputTokens: s.inputTokens ?? 0,
          outputTokens: s.outputTokens ?? 0,
          costUsd: s.costUsd ?? 0,
          error: s.status === "error",
          unpriced: isUnpriced(s.model, s.inputTokens, s.outputTokens, s.costUsd),
          model: s.model ?? null,
        },
      });
  }
  if (stored.length === 0) return changes;

  const ids = stored.map((s) => s.id);
  const before = new Map(
    rowsOf<ContributionRow>(
      await tx.execute<ContributionRow>(sql`
        select ${CONTRIBUTION} from spans
        where org_id = ${orgId}::uuid and id = any(${sql.param(ids)}::text[])
        order by id collate "C" for update`),
    ).map((r) => [r.id, contributionOf(r)]),
  );
  const updated: ContributionRow[] = [];
  for (const [rule, group] of [
    [UPSERT, stored.filter((s) => !continuing.has(s.id))],
    [CONTINUATION, stored.filter((s) => continuing.has(s.id))],
  ] as const) {
    if (group.length === 0) continue;
    const rows = await tx.execute<ContributionRow>(sql`
      update spans s set ${sql.raw(rule.assignments)}
      from (${spanRows(orgId, group)}) n
      where s.org_id = n.org_id and s.id = n.id and ${rule.changed}
      returning ${sql.raw("s.id, s.run_id, s.status, s.model, s.input_tokens, s.output_tokens, s.cost_usd")}`);
    updated.push(...rowsOf<ContributionRow>(rows));
  }
  for (const row of updated)
    changes.push({ id: row.id, inserted: false, before: before.get(row.id) ?? null, after: contributionOf(row) });
  return changes;
}
