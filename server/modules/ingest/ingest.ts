import { INGEST_MAX_ITEMS, type IngestResult } from "@shared/schemas/ingest.ts";
import type { RunSummary } from "@shared/schemas/runs.ts";
import type { AppDeps } from "../../deps.ts";
import type { Db } from "../../infra/db.ts";
import { recordReplays, sdkReplayRecords } from "../replay/records.ts";
import { settleVerdicts } from "../replay/verdict.ts";
import { publishRunChanges } from "../runs/events.ts";
import type { PriceBook } from "../pricing/prices.ts";
import { priceSpans, priceStoredSpans } from "../pricing/service.ts";
import { addUsage, noteThresholds } from "../usage/counters.ts";
import { periodOf } from "../usage/period.ts";
import { type LimitState, limitMessage, spanQuota } from "../usage/service.ts";
import { createRuns, lockRuns, updateRuns } from "./runs-write.ts";
import { holdToSpanLimit, nearLimit } from "./span-limit.ts";
import { writeSpans } from "./spans-write.ts";
import { applyTotals, refreshConversations, totalsDelta } from "./totals.ts";
import { type ValidatedBatch, validateItems } from "./validate.ts";

type Deps = Pick<AppDeps, "database" | "store" | "metrics" | "config" | "log">;
/** The organisation's prices, once read (see pricing/service.ts). */
type Prices = { book?: PriceBook };

/** The ids of the runs and spans a batch continues (see `IngestOptions.continuing`). */
export interface Continuing {
  runs: ReadonlySet<string>;
  spans: ReadonlySet<string>;
}
const NOT_CONTINUING: Continuing = { runs: new Set(), spans: new Set() };
type Outcome = "created" | "updated" | "unchanged";

export interface IngestOptions {
  /**
   * Whether new spans are held to the organisation's monthly span limit (the default). Spans the server writes
   * for its own replays are counted but never refused: a replay the limit let start runs to its end.
   */
  spanLimit?: boolean;
  /**
   * Runs and spans sent without their identity (name, kind, start): an update naming only what changed, whose
   * other fields stand in until the original arrives. Stored ones keep their name, kind, start (and a run its
   * tags, unless sent) and never lose an error; new ones are stored as sent, for their original to complete.
   */
  continuing?: Continuing;
  /** Whether new runs and spans count toward the organisation's usage (the default). Sample data does not. */
  countUsage?: boolean;
}

export interface IngestOutcome {
  /** One per item, in order. */
  results: IngestResult[];
  accepted: number;
  rejected: number;
  /** New spans refused because the batch crossed the month's span limit. */
  limited: number;
  /** The span limit when it refused anything: part of the items (`limited`), or all of them (`exhausted`). */
  limit: LimitState | null;
  /** The limit was already reached: nothing was read or stored. */
  exhausted: boolean;
}

/**
 * The one way runs and spans enter Echos, whatever carried them (REST, OTLP, the server's own replays): each item
 * validated on its own, new spans held to the month's limit, the valid items written idempotently by
 * (organisation, id) — a batch of at most `INGEST_MAX_ITEMS` per transaction — usage counted in the same
 * transaction, and the changed runs published to live views once committed.
 */
export async function ingest(
  deps: Deps,
  orgId: string,
  items: readonly unknown[],
  options: IngestOptions = {},
): Promise<IngestOutcome> {
  const quota = options.spanLimit === false ? null : await spanQuota(deps, orgId);
  const continuing = options.continuing ?? NOT_CONTINUING;
  // The organisation's prices, read once for the whole call, and only if some span needs a price.
  const prices: Prices = {};
  if (quota?.exhausted) return { results: [], accepted: 0, rejected: 0, limited: 0, limit: quota, exhausted: true };
  const results: IngestResult[] = [];
  let limited = 0;
  for (let start = 0; start < items.length; start += INGEST_MAX_ITEMS) {
    const batch = validateItems(items.slice(start, start + INGEST_MAX_ITEMS), start);
    await priceSpans(
      deps.database.db,
      orgId,
      batch.spans.map((s) => s.item),
      prices,
    );
    const written = await writeBatch(deps, orgId, batch, quota, continuing, prices, options.countUsage !== false);
    results.push(...written.results);
    limited += written.limited;
  }
  const rejected = results.filter((r) => r.status === "error").length;
  deps.metrics.spansIngested.inc(results.filter((r) => r.type === "span" && r.status !== "error").length);
  const limit = limited > 0 && quota ? { ...quota, usage: quota.limit, exhausted: true } : null;
  return { results, accepted: results.length - rejected, rejected, limited, limit, exhausted: false };
}

interface Written {
  spans: ValidatedBatch["spans"];
  /** Spans refused at the span limit. */
  refusedResults: IngestResult[];
  limited: number;
  outcomes: Map<string, Outcome>;
  changedSpans: Map<string, string[]>;
  summaries: RunSummary[];
}

/** The batch written (in one transaction, unless the database refused one of its items), then the live event. */
async function writeBatch(
  deps: Deps,
  orgId: string,
  batch: ValidatedBatch,
  quota: LimitState | null,
  continuing: Continuing,
  prices: Prices,
  counted: boolean,
) {
  const results: IngestResult[] = [...batch.errors];
  const summaries = new Map<string, RunSummary>();
  const changedSpans = new Map<string, string[]>();
  let limited = 0;
  for (const part of await writeIsolating(deps, orgId, batch, quota, continuing, prices, counted)) {
    if ("refused" in part) {
      results.push(...part.refused);
      continue;
    }
    const { written } = part;
    results.push(...(written?.refusedResults ?? []));
    limited += written?.limited ?? 0;
    for (const [type, merged] of [
      ["run", part.batch.runs],
      ["span", written?.spans ?? []],
    ] as const) {
      for (const { indexes, item } of merged) {
        const outcome = written?.outcomes.get(`${type}:${item.id}`) ?? "unchanged";
        for (const index of indexes) results.push({ index, type, id: item.id, status: outcome });
      }
    }
    // A later part was written later: its summary of a run is the newer one.
    for (const summary of written?.summaries ?? []) summaries.set(summary.id, summary);
    for (const [runId, ids] of written?.changedSpans ?? [])
      changedSpans.set(runId, [...(changedSpans.get(runId) ?? []), ...ids]);
  }
  results.sort((a, b) => a.index - b.index);
  if (summaries.size > 0)
    await publishRunChanges(deps, orgId, { runs: [...summaries.values()], spans: Object.fromEntries(changedSpans) });
  return { results, limited };
}

type Part = { batch: ValidatedBatch; written: Written | null } | { refused: IngestResult[] };

/**
 * The batch in one transaction, tried again when the database picked it to break a deadlock. Should the database
 * still refuse a value that validation could not foresee (a run whose input holds more distinct words than its
 * search index can: a tsvector is at most 1 MB), each half is written on its own, down to the one item refused,
 * with the database's reason: it never sinks its neighbours. Only that rare failure costs the extra transactions.
 */
async function writeIsolating(
  deps: Deps,
  orgId: string,
  batch: ValidatedBatch,
  quota: LimitState | null,
  continuing: Continuing,
  prices: Prices,
  counted: boolean,
): Promise<Part[]> {
  const size = batch.runs.length + batch.spans.length;
  if (size === 0) return [{ batch, written: null }];
  try {
    const written = await retryOnConflict(() =>
      deps.database.db.transaction((tx) => writeInTransaction(tx, orgId, batch, quota, continuing, prices, counted)),
    );
    return [{ batch, written }];
  } catch (error) {
    const refused = databaseError(error);
    if (!refused || !REFUSED_VALUE.test(refused.code)) throw error;
    if (size === 1) {
      const [type, { indexes, item }] = batch.runs[0]
        ? (["run", batch.runs[0]] as const)
        : (["span", batch.spans[0]!] as const);
      deps.log.warn("Ingest item refused by the database", {
        type,
        id: item.id,
        code: refused.code,
        reason: refused.message,
      });
      const reason = `could not be stored: ${refused.message}`;
      return [
        { refused: indexes.map((index) => ({ index, type, id: item.id, status: "error" as const, error: reason })) },
      ];
    }
    const half = Math.ceil(size / 2);
    const first = {
      runs: batch.runs.slice(0, half),
      spans: batch.spans.slice(0, Math.max(0, half - batch.runs.length)),
      errors: [],
    };
    const second = { runs: batch.runs.slice(half), spans: batch.spans.slice(first.spans.length), errors: [] };
    return [
      ...(await writeIsolating(deps, orgId, first, quota, continuing, prices, counted)),
      ...(await writeIsolating(deps, orgId, second, quota, continuing, prices, counted)),
    ];
  }
}

/** The batch's runs, spans, totals, conversations and usage. */
async function writeInTransaction(
  tx: Db,
  orgId: string,
  batch: ValidatedBatch,
  quota: LimitState | null,
  continuing: Continuing,
  prices: Prices,
  counted: boolean,
): Promise<Written> {
  const runItems = batch.runs.map((r) => r.item);
  const period = periodOf();
  const spanLimit = quota?.limit ?? 0;
  const written: Written = {
    spans: batch.spans,
    refusedResults: [],
    limited: 0,
    outcomes: new Map(),
    changedSpans: new Map(),
    summaries: [],
  };
  if (quota && batch.spans.length > 0 && nearLimit(spanLimit, quota.usage)) {
    const refused = await holdToSpanLimit(tx, orgId, period, spanLimit, batch.spans);
    if (refused.size > 0) {
      const error = limitMessage({ ...quota, usage: spanLimit });
      for (const { indexes, item } of batch.spans.filter((s) => refused.has(s.item.id))) {
        for (const index of indexes)
          written.refusedResults.push({ index, type: "span", id: item.id, status: "error", error });
        written.limited += indexes.length;
      }
      written.spans = batch.spans.filter((s) => !refused.has(s.item.id));
    }
  }
  const spanItems = written.spans.map((s) => s.item);
  // Rows are locked in one order by every batch: run rows created, spans, run rows updated, usage.
  const createdRuns = await createRuns(tx, orgId, runItems, spanItems);
  const changes = await writeSpans(tx, orgId, spanItems, continuing.spans);
  await priceStoredSpans(tx, orgId, changes, prices);
  const touched = new Set([...runItems.map((r) => r.id), ...spanItems.map((s) => s.runId)]);
  await lockRuns(tx, orgId, [...touched].sort());
  const updatedRuns = await updateRuns(
    tx,
    orgId,
    runItems.filter((r) => !createdRuns.has(r.id)),
    continuing.runs,
  );
  const sdkReplays = sdkReplayRecords(runItems);
  // Replays Echos runs itself were counted when they were asked for; those the SDK ran are counted as they arrive.
  const newReplays = sdkReplays.length > 0 ? await recordReplays(tx, orgId, sdkReplays) : 0;
  // Before the totals: the summaries they return (and publish) carry the verdict of a replay that just ended.
  await settleVerdicts(tx, orgId, [...touched]);

  const { outcomes, changedSpans } = written;
  for (const id of createdRuns) outcomes.set(`run:${id}`, "created");
  for (const id of updatedRuns) outcomes.set(`run:${id}`, "updated");
  for (const change of changes) {
    outcomes.set(`span:${change.id}`, change.inserted ? "created" : "updated");
    const ids = changedSpans.get(change.after.runId);
    if (ids) ids.push(change.id);
    else changedSpans.set(change.after.runId, [change.id]);
  }
  const changedRuns = new Set([...createdRuns, ...updatedRuns, ...changedSpans.keys()]);
  if (changedRuns.size > 0) {
    written.summaries = await applyTotals(tx, orgId, changedRuns, totalsDelta(changes));
    const conversationIds = [
      ...new Set(written.summaries.flatMap((r) => (r.conversationId ? [r.conversationId] : []))),
    ];
    await refreshConversations(tx, orgId, conversationIds);
  }
  // Placeholders count as runs when they are created, as the runs they stand for; replays count as replays.
  const replayRuns = new Set(runItems.flatMap((r) => (r.replayOf ? [r.id] : [])));
  const newRuns = [...createdRuns].filter((id) => !replayRuns.has(id)).length;
  const newSpans = changes.filter((c) => c.inserted).length;
  if (counted && newRuns + newSpans + newReplays > 0) {
    const after = await addUsage(tx, orgId, { runs: newRuns, spans: newSpans, replays: newReplays });
    if (spanLimit > 0 && newSpans > 0)
      await noteThresholds(tx, {
        orgId,
        period,
        metric: "spans",
        before: after.spans - newSpans,
        used: after.spans,
        limit: spanLimit,
      });
  }
  return written;
}

/** deadlock_detected, serialization_failure: the database undid the transaction, and trying it again is safe. */
const RETRYABLE = new Set(["40P01", "40001"]);
const ATTEMPTS = 4;
/** Data exceptions (22…) and program limits (54…): the database refusing a value it was sent, every time. */
const REFUSED_VALUE = /^(22|54)/;

/** The database's own error (its SQLSTATE and message), wherever the driver or the ORM wrapped it. */
function databaseError(error: unknown): { code: string; message: string } | undefined {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return { code, message: String(message) };
  }
  return undefined;
}

/**
 * Batches that share new spans sent in different orders (two exporters retrying the same spans, say) can wait on
 * each other's inserts; the database breaks the circle by failing one, which then runs again after a short pause.
 */
async function retryOnConflict<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= ATTEMPTS || !RETRYABLE.has(databaseError(error)?.code ?? "")) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * n));
    }
  }
}
