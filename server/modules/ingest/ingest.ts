import { INGEST_MAX_ITEMS, type IngestResult } from "@shared/schemas/ingest.ts";
import type { RunSummary } from "@shared/schemas/runs.ts";
import type { AppDeps } from "../../deps.ts";
import type { Db } from "../../infra/db.ts";
import { recordReplays, sdkReplayRecords } from "../replay/records.ts";
import { publishRunChanges } from "../runs/events.ts";
import { addUsage, noteThresholds } from "../usage/counters.ts";
import { periodOf } from "../usage/period.ts";
import { type LimitState, limitMessage, spanQuota } from "../usage/service.ts";
import { createRuns, lockRuns, updateRuns } from "./runs-write.ts";
import { holdToSpanLimit, nearLimit } from "./span-limit.ts";
import { writeSpans } from "./spans-write.ts";
import { applyTotals, refreshConversations, totalsDelta } from "./totals.ts";
import { type ValidatedBatch, validateItems } from "./validate.ts";

type Deps = Pick<AppDeps, "database" | "store" | "metrics" | "config">;
type Outcome = "created" | "updated" | "unchanged";

export interface IngestOptions {
  /**
   * Whether new spans are held to the organisation's monthly span limit (the default). Spans the server writes
   * for its own replays are counted but never refused: a replay the limit let start runs to its end.
   */
  spanLimit?: boolean;
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
  if (quota?.exhausted) return { results: [], accepted: 0, rejected: 0, limited: 0, limit: quota, exhausted: true };
  const results: IngestResult[] = [];
  let limited = 0;
  for (let start = 0; start < items.length; start += INGEST_MAX_ITEMS) {
    const batch = validateItems(items.slice(start, start + INGEST_MAX_ITEMS), start);
    const written = await writeBatch(deps, orgId, batch, quota);
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

/** One transaction, tried again when the database picked it to break a deadlock; then the live event. */
async function writeBatch(deps: Deps, orgId: string, batch: ValidatedBatch, quota: LimitState | null) {
  const written =
    batch.spans.length + batch.runs.length > 0
      ? await retryOnConflict(() => deps.database.db.transaction((tx) => writeInTransaction(tx, orgId, batch, quota)))
      : null;
  const results: IngestResult[] = [...batch.errors, ...(written?.refusedResults ?? [])];
  for (const [type, merged] of [
    ["run", batch.runs],
    ["span", written?.spans ?? []],
  ] as const) {
    for (const { indexes, item } of merged) {
      const outcome = written?.outcomes.get(`${type}:${item.id}`) ?? "unchanged";
      for (const index of indexes) results.push({ index, type, id: item.id, status: outcome });
    }
  }
  results.sort((a, b) => a.index - b.index);
  if (written && written.summaries.length > 0)
    await publishRunChanges(deps, orgId, {
      runs: written.summaries,
      spans: Object.fromEntries(written.changedSpans),
    });
  return { results, limited: written?.limited ?? 0 };
}

/** The batch's runs, spans, totals, conversations and usage. */
async function writeInTransaction(
  tx: Db,
  orgId: string,
  batch: ValidatedBatch,
  quota: LimitState | null,
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
  const changes = await writeSpans(tx, orgId, spanItems);
  const touched = new Set([...runItems.map((r) => r.id), ...spanItems.map((s) => s.runId)]);
  await lockRuns(tx, orgId, [...touched].sort());
  const updatedRuns = await updateRuns(
    tx,
    orgId,
    runItems.filter((r) => !createdRuns.has(r.id)),
  );
  const sdkReplays = sdkReplayRecords(runItems);
  if (sdkReplays.length > 0) await recordReplays(tx, orgId, sdkReplays);

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
  // Placeholders count as runs when they are created, as the runs they stand for.
  const newRuns = createdRuns.size;
  const newSpans = changes.filter((c) => c.inserted).length;
  if (newRuns + newSpans > 0) {
    const after = await addUsage(tx, orgId, { runs: newRuns, spans: newSpans });
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

function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
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
      if (n >= ATTEMPTS || !RETRYABLE.has(sqlState(error) ?? "")) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * n));
    }
  }
}
