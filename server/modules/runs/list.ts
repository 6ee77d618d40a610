import { type SQL, sql } from "drizzle-orm";
import type { RunFilters, RunOrder, RunSort, RunSummary } from "@shared/schemas/runs.ts";
import type { AppDeps } from "../../deps.ts";
import { rowsOf } from "../../infra/db.ts";
import { badRequest } from "../../lib/errors.ts";
import { runsStream } from "./events.ts";
import { RUN_DETAIL_COLUMNS, RUN_SUMMARY_COLUMNS, type RunSummaryRow, toRunSummary } from "./rows.ts";

type Deps = Pick<AppDeps, "database" | "store">;

/**
 * Words of the text filter as a prefix query: `refund fail` → `refund:* & fail:*`. Only letters and digits reach
 * the query, so user text can never be tsquery syntax.
 */
export function searchQuery(text: string): string | null {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.length > 0 ? words.map((w) => `${w}:*`).join(" & ") : null;
}

function filterConditions(orgId: string, f: RunFilters): SQL[] {
  const where: SQL[] = [sql`org_id = ${orgId}::uuid`];
  const origin = f.origin ?? "production";
  if (origin === "production") where.push(sql`replay_of is null`);
  if (origin === "replays") where.push(sql`replay_of is not null`);
  if (f.status) where.push(sql`status = ${f.status}`);
  if (f.workflow) where.push(sql`workflow = ${f.workflow}`);
  if (f.tag) where.push(sql`tags @> array[${f.tag}]::text[]`);
  if (f.from) where.push(sql`started_at >= ${f.from}::timestamptz`);
  if (f.to) where.push(sql`started_at < ${f.to}::timestamptz`);
  const q = f.q?.trim();
  if (q) {
    const query = searchQuery(q);
    // Ids and conversation ids are in the search vector too, so one GIN-indexed test covers every field.
    where.push(query ? sql`search @@ to_tsquery('simple', ${query})` : sql`false`);
  }
  return where;
}

/**
 * Each sort key: the expression rows are ordered by (exactly as its index in db/schema.ts spells it, so the index
 * serves it), how its value is written into a cursor as exact text, and how that text is read back. Runs still going
 * have no duration yet and sort as -1 s, below every finished run.
 */
const SORT_KEYS: Record<RunSort, { expr: SQL; text: SQL; valid: RegExp; value: (text: string) => SQL }> = {
  started: {
    expr: sql`started_at`,
    text: sql`(extract(epoch from started_at) * 1000000)::bigint::text`,
    valid: /^-?\d+$/,
    value: (v) => sql`('epoch'::timestamptz + ${v}::bigint * interval '1 microsecond')`,
  },
  duration: {
    expr: sql`coalesce(extract(epoch from ended_at - started_at), -1)`,
    text: sql`coalesce(extract(epoch from ended_at - started_at), -1)::text`,
    valid: /^-?\d+(\.\d+)?$/,
    value: (v) => sql`${v}::numeric`,
  },
  tokens: {
    expr: sql`(input_tokens + output_tokens)`,
    text: sql`(input_tokens + output_tokens)::text`,
    valid: /^-?\d+$/,
    value: (v) => sql`${v}::int8`,
  },
  cost: {
    expr: sql`cost_usd`,
    text: sql`cost_usd::text`,
    valid: /^(-?(\d+(\.\d+)?(e[+-]?\d+)?|Infinity)|NaN)$/,
    value: (v) => sql`${v}::float8`,
  },
};

/** Cursor = the sort and direction it belongs to, the last row's sort value (exact text) and its id. */
function encodeCursor(order: RunOrder, row: { sort_key: string; id: string }): string {
  return Buffer.from(JSON.stringify([order.sort, order.dir, row.sort_key, row.id])).toString("base64url");
}

function decodeCursor(cursor: string, order: RunOrder): { value: string; id: string } {
  let parts: unknown[] = [];
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown;
    if (Array.isArray(parsed)) parts = parsed;
  } catch {
    // reported below
  }
  const [sort, dir, value, id] = parts;
  if (sort !== order.sort || dir !== order.dir)
    throw badRequest("The page cursor belongs to another sort order; start again from the first page");
  if (typeof value === "string" && SORT_KEYS[order.sort].valid.test(value) && typeof id === "string")
    return { value, id };
  throw badRequest("The page cursor is not valid; start again from the first page");
}

export type ListInput = RunFilters & Partial<RunOrder> & { cursor?: string | null; limit: number };

/**
 * The page query of the Runs view (one row more than the page, to know whether another follows), ordered by the
 * sort key then id, and continued after the cursor's row. `withPayloads` adds the run's input, output and whole error
 * (for the export).
 */
export function runListQuery(orgId: string, input: ListInput, withPayloads = false): SQL {
  const order: RunOrder = { sort: input.sort ?? "started", dir: input.dir ?? "desc" };
  const key = SORT_KEYS[order.sort];
  const where = filterConditions(orgId, input);
  const dir = order.dir === "asc" ? sql.raw("asc") : sql.raw("desc");
  if (input.cursor) {
    const { value, id } = decodeCursor(input.cursor, order);
    const after = order.dir === "asc" ? sql.raw(">") : sql.raw("<");
    where.push(sql`(${key.expr}, id) ${after} (${key.value(value)}, ${id})`);
  }
  return sql`
    select ${RUN_SUMMARY_COLUMNS}, ${key.text} as sort_key${withPayloads ? sql`, ${RUN_DETAIL_COLUMNS}` : sql``}
    from runs where ${sql.join(where, sql` and `)}
    order by ${key.expr} ${dir}, id ${dir}
    limit ${input.limit + 1}`;
}

export type ListedRow = RunSummaryRow & { sort_key: string };

/** One page of rows and the cursor of the next (null on the last page). */
export async function listRunRows<Row extends ListedRow>(
  deps: Pick<AppDeps, "database">,
  orgId: string,
  input: ListInput,
  withPayloads = false,
): Promise<{ rows: Row[]; nextCursor: string | null }> {
  const order: RunOrder = { sort: input.sort ?? "started", dir: input.dir ?? "desc" };
  const rows = rowsOf<Row>(await deps.database.db.execute(runListQuery(orgId, input, withPayloads)));
  const page = rows.slice(0, input.limit);
  return { rows: page, nextCursor: rows.length > input.limit ? encodeCursor(order, page.at(-1)!) : null };
}

export async function listRuns(
  deps: Deps,
  orgId: string,
  input: ListInput,
): Promise<{ items: RunSummary[]; nextCursor: string | null; eventId: string }> {
  // Read first: an event after this id may already be in the page, never missing from both.
  const eventId = await deps.store.lastId(runsStream(orgId));
  const { rows, nextCursor } = await listRunRows(deps, orgId, input);
  return { items: rows.map(toRunSummary), nextCursor, eventId };
}
