import { sql } from "drizzle-orm";
import { INGEST_MAX_ITEMS, type IngestSpan } from "@shared/schemas/ingest.ts";
import type { Db } from "../../infra/db.ts";
import { rowsOf } from "../../infra/db.ts";
import { lockUsage } from "../usage/counters.ts";
import type { Merged } from "./validate.ts";

/** Within this many full batches of the limit, batches count against it exactly, one organisation at a time. */
const NEAR_LIMIT_BATCHES = 10;

/**
 * Whether a batch must hold the organisation's usage row while it is written. Far below the limit (by the usage
 * read before the transaction) it need not: batches of one organisation are then written side by side, and only
 * the last few batches before the limit queue up to be counted exactly.
 */
export function nearLimit(limit: number, usage: number): boolean {
  return limit > 0 && usage + NEAR_LIMIT_BATCHES * INGEST_MAX_ITEMS >= limit;
}

/**
 * Under a span limit, the new spans of a batch that crosses it are taken in order up to the limit and the rest
 * refused one by one; spans already stored (a span's end after its start) are always taken. Returns the refused.
 */
export async function holdToSpanLimit(
  tx: Db,
  orgId: string,
  period: string,
  limit: number,
  spans: Merged<IngestSpan>[],
): Promise<Set<string>> {
  const current = await lockUsage(tx, orgId, period);
  const ids = spans.map((s) => s.item.id);
  const stored = new Set(
    rowsOf<{ id: string }>(
      await tx.execute<{ id: string }>(
        sql`select id from spans where org_id = ${orgId}::uuid and id = any(${sql.param(ids)}::text[])`,
      ),
    ).map((r) => r.id),
  );
  let allowance = limit - current.spans;
  const refused = new Set<string>();
  for (const { item } of spans) {
    if (stored.has(item.id)) continue;
    if (allowance > 0) allowance--;
    else refused.add(item.id);
  }
  return refused;
}
