import { type SQL, sql } from "drizzle-orm";

/**
 * The `set` of an upsert and its "would anything change?" test, from one list of columns. Replaced columns take
 * the new value; kept columns take it only when sent (a span's end does not erase its start's input); merged
 * columns (JSON objects) take the sent keys over the stored ones; preserved columns keep what is stored (a
 * continuation, sent without them); `expressions` gives a column its own rule. Status never goes back to running
 * once finished (a late copy of the start must not reopen it), nor, with `keepError`, from error to anything else.
 * `stored` and `sent` name the row as stored and the row as sent (`"runs"` / `excluded` in an upsert, `s` / `n` in
 * an update from a list).
 */
export function mergeColumns(
  stored: string,
  sent: string,
  replaced: string[],
  kept: string[],
  more: { merged?: string[]; preserved?: string[]; expressions?: Record<string, string>; keepError?: boolean } = {},
) {
  const next: Record<string, string> = {};
  for (const column of replaced) next[column] = `${sent}.${column}`;
  for (const column of kept) next[column] = `coalesce(${sent}.${column}, ${stored}.${column})`;
  // JSON objects whose keys add up: an update that sends some keys (or none) leaves the others as they were.
  for (const column of more.merged ?? []) next[column] = `${stored}.${column} || coalesce(${sent}.${column}, '{}')`;
  for (const column of more.preserved ?? []) next[column] = `${stored}.${column}`;
  Object.assign(next, more.expressions);
  const finished = `${stored}.status <> 'running' and ${sent}.status = 'running'`;
  const keep = more.keepError ? `${stored}.status = 'error' or (${finished})` : finished;
  next.status = `case when ${keep} then ${stored}.status else ${sent}.status end`;
  const columns = Object.keys(next);
  const set: Record<string, SQL> = { updatedAt: sql`now()` };
  for (const column of columns)
    set[column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = sql.raw(next[column]!);
  const changed = sql.raw(
    `(${columns.map((c) => `${stored}.${c}`).join(", ")}) is distinct from (${columns.map((c) => next[c]).join(", ")})`,
  );
  const assignments = [...columns.map((c) => `${c} = ${next[c]}`), "updated_at = now()"].join(", ");
  return { set, changed, assignments };
}
