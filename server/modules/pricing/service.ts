import { and, asc, eq, sql } from "drizzle-orm";
import { modelPrices } from "../../../db/schema.ts";
import type { IngestSpan } from "@shared/schemas/ingest.ts";
import type { ApplyModelPriceResult, SaveModelPriceInput } from "@shared/schemas/pricing.ts";
import type { AppDeps } from "../../deps.ts";
import type { Db } from "../../infra/db.ts";
import { rowsOf } from "../../infra/db.ts";
import { conflict, notFound } from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import type { Actor } from "../orgs/service.ts";
import type { SpanChange } from "../ingest/spans-write.ts";
import { publishRunChanges } from "../runs/events.ts";
import { RUN_SUMMARY_COLUMNS, type RunSummaryRow, toRunSummary } from "../runs/rows.ts";
import { PriceBook } from "./prices.ts";

type Deps = Pick<AppDeps, "database" | "store">;

/** The organisation's prices as matched at ingest: read from the database, so every instance sees a change at once. */
export async function loadPriceBook(db: Db, orgId: string): Promise<PriceBook> {
  const rows = await db
    .select({
      pattern: modelPrices.pattern,
      inputUsdPerMillion: modelPrices.inputUsdPerMillion,
      outputUsdPerMillion: modelPrices.outputUsdPerMillion,
    })
    .from(modelPrices)
    .where(eq(modelPrices.orgId, orgId));
  return new PriceBook(rows);
}

/** A span that reports a model and tokens but no cost: the one kind of span pricing fills in. */
export const needsPrice = (span: IngestSpan) =>
  Boolean(span.model) && (span.inputTokens != null || span.outputTokens != null) && span.costUsd == null;

/**
 * Fills in the cost of every span that needs one, at the organisation's prices or the built-in ones; a span whose
 * model neither knows keeps a null cost (counted as unpriced on its run). A cost the sender gave is never changed.
 * The organisation's prices are read only when some span needs them, and at most once per `prices` holder.
 */
export async function priceSpans(
  db: Db,
  orgId: string,
  spans: readonly IngestSpan[],
  prices: { book?: PriceBook },
): Promise<void> {
  const due = spans.filter(needsPrice);
  if (due.length === 0) return;
  prices.book ??= await loadPriceBook(db, orgId);
  for (const span of due) span.costUsd = prices.book.priceOf(span.model, span.inputTokens, span.outputTokens);
}

/**
 * Prices the spans a batch left without a cost although, as stored, they now have a model and tokens: a span whose
 * start (with the model) and end (with the tokens) came in different requests. Run in the batch's transaction,
 * on rows it holds locked, before the totals are taken; each change's contribution is corrected to match.
 */
export async function priceStoredSpans(
  tx: Db,
  orgId: string,
  changes: readonly SpanChange[],
  prices: { book?: PriceBook },
): Promise<void> {
  const due = changes.filter((c) => c.after.unpriced);
  if (due.length === 0) return;
  const book = (prices.book ??= await loadPriceBook(tx, orgId));
  const priced = due.flatMap((change) => {
    const cost = book.priceOf(change.after.model, change.after.inputTokens, change.after.outputTokens);
    return cost === null ? [] : [{ change, cost }];
  });
  if (priced.length === 0) return;
  await tx.execute(sql`
    update spans s set cost_usd = p.cost
    from unnest(${sql.param(priced.map((p) => p.change.id))}::text[],
      ${sql.param(priced.map((p) => p.cost))}::float8[]) as p(id, cost)
    where s.org_id = ${orgId}::uuid and s.id = p.id and s.cost_usd is null`);
  for (const { change, cost } of priced) {
    change.after.costUsd = cost;
    change.after.unpriced = false;
  }
}

type Row = typeof modelPrices.$inferSelect;

function toView(row: Row) {
  return {
    id: row.id,
    pattern: row.pattern,
    inputUsdPerMillion: row.inputUsdPerMillion,
    outputUsdPerMillion: row.outputUsdPerMillion,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function listModelPrices({ database }: Pick<AppDeps, "database">, orgId: string) {
  const rows = await database.db
    .select()
    .from(modelPrices)
    .where(eq(modelPrices.orgId, orgId))
    .orderBy(asc(modelPrices.pattern));
  return rows.map(toView);
}

const isUniqueViolation = (error: unknown): boolean => {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause)
    if ((e as { code?: unknown }).code === "23505") return true;
  return false;
};

/** Adds a price, or changes the one with `input.id`; a pattern has one price per organisation. */
export async function saveModelPrice(deps: Deps, actor: Actor, orgId: string, input: SaveModelPriceInput) {
  const values = {
    pattern: input.pattern,
    inputUsdPerMillion: input.inputUsdPerMillion,
    outputUsdPerMillion: input.outputUsdPerMillion,
  };
  const taken = conflict(`There is already a price for ${input.pattern}: change that one instead`);
  let row: Row | undefined;
  try {
    if (input.id) {
      [row] = await deps.database.db
        .update(modelPrices)
        .set({ ...values, updatedAt: new Date() })
        .where(and(eq(modelPrices.id, input.id), eq(modelPrices.orgId, orgId)))
        .returning();
      if (!row) throw notFound("No such model price in this organisation");
    } else {
      [row] = await deps.database.db
        .insert(modelPrices)
        .values({ orgId, createdBy: actor.userId, ...values })
        .onConflictDoNothing()
        .returning();
      if (!row) throw taken;
    }
  } catch (error) {
    if (isUniqueViolation(error)) throw taken;
    throw error;
  }
  await recordAudit(deps, {
    orgId,
    actor,
    action: "model_price.saved",
    target: row.pattern,
    metadata: { inputUsdPerMillion: row.inputUsdPerMillion, outputUsdPerMillion: row.outputUsdPerMillion },
    ip: actor.ip,
  });
  return toView(row);
}

export async function deleteModelPrice(deps: Deps, actor: Actor, orgId: string, id: string) {
  const [row] = await deps.database.db
    .delete(modelPrices)
    .where(and(eq(modelPrices.id, id), eq(modelPrices.orgId, orgId)))
    .returning();
  if (!row) throw notFound("No such model price in this organisation");
  await recordAudit(deps, { orgId, actor, action: "model_price.deleted", target: row.pattern, ip: actor.ip });
}

/**
 * Prices the organisation's past spans that have a model and tokens but no cost, and that this price now covers:
 * each model is priced as ingest would price it today (the most specific of the organisation's patterns, then the
 * built-in table), so a more specific price elsewhere is respected. Run totals move by what was added, in the same
 * transaction; live views get the changed runs. Spans with a cost, sent or estimated, are left as they are.
 */
export async function applyModelPrice(
  deps: Deps,
  actor: Actor,
  orgId: string,
  id: string,
): Promise<ApplyModelPriceResult> {
  const [price] = await deps.database.db
    .select()
    .from(modelPrices)
    .where(and(eq(modelPrices.id, id), eq(modelPrices.orgId, orgId)));
  if (!price) throw notFound("No such model price in this organisation");
  const covers = new PriceBook([price]);

  const { summaries, spans } = await deps.database.db.transaction(async (tx) => {
    const book = await loadPriceBook(tx, orgId);
    const unpricedModels = rowsOf<{ model: string }>(
      await tx.execute<{ model: string }>(sql`
        select distinct model from spans
        where org_id = ${orgId}::uuid and cost_usd is null and model is not null
          and (input_tokens is not null or output_tokens is not null)`),
    ).map((r) => r.model);
    const priced = unpricedModels.flatMap((model) => {
      const at = book.find(model);
      return covers.find(model) && at ? [{ model, ...at }] : [];
    });
    if (priced.length === 0) return { summaries: [], spans: 0 };
    const models = sql.param(priced.map((p) => p.model));
    // The spans are locked in id order first, as ingest locks them, so the two never wait on each other in a circle.
    await tx.execute(sql`
      select 1 from spans
      where org_id = ${orgId}::uuid and model = any(${models}::text[]) and cost_usd is null
        and (input_tokens is not null or output_tokens is not null)
      order by id collate "C" for update`);
    const result = await tx.execute<RunSummaryRow & { priced_spans: number }>(sql`
      with priced as (
        update spans s set updated_at = now(),
          cost_usd = round(((coalesce(s.input_tokens, 0) * p.input + coalesce(s.output_tokens, 0) * p.output)
            / 1e6)::numeric, 8)::float8
        from unnest(${models}::text[], ${sql.param(priced.map((p) => p.input))}::float8[],
          ${sql.param(priced.map((p) => p.output))}::float8[]) as p(model, input, output)
        where s.org_id = ${orgId}::uuid and s.model = p.model and s.cost_usd is null
          and (s.input_tokens is not null or s.output_tokens is not null)
        returning s.run_id, s.cost_usd
      ), by_run as (
        select run_id, sum(cost_usd) as cost, count(*)::int as n from priced group by run_id
      )
      update runs r set cost_usd = r.cost_usd + by_run.cost,
        unpriced_count = greatest(r.unpriced_count - by_run.n, 0),
        seq = nextval(pg_get_serial_sequence('runs', 'seq'))
      from by_run
      where r.org_id = ${orgId}::uuid and r.id = by_run.run_id
      returning ${RUN_SUMMARY_COLUMNS}, by_run.n as priced_spans`);
    const rows = rowsOf<RunSummaryRow & { priced_spans: number }>(result);
    return {
      summaries: rows.map(toRunSummary),
      spans: rows.reduce((sum, r) => sum + Number(r.priced_spans), 0),
    };
  });
  if (summaries.length > 0) await publishRunChanges(deps, orgId, { runs: summaries, spans: {} });
  await recordAudit(deps, {
    orgId,
    actor,
    action: "model_price.applied",
    target: price.pattern,
    metadata: { spans, runs: summaries.length },
    ip: actor.ip,
  });
  return { spans, runs: summaries.length };
}
