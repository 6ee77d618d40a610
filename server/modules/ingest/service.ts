import { type SQL, sql } from "drizzle-orm";
import { runs } from "../../../db/schema.ts";
import {
  INGEST_MAX_ITEMS,
  type IngestResult,
  type IngestRun,
  type IngestSpan,
  ZIngestItem,
} from "../../../shared/schemas/ingest.ts";
import type { RunSummary } from "../../../shared/schemas/runs.ts";
import type { AppDeps } from "../../deps.ts";
import { publishRunChanges } from "../runs/events.ts";
import { rowsOf } from "../../infra/db.ts";
import { RUN_SUMMARY_COLUMNS, type RunSummaryRow, toRunSummary } from "../runs/rows.ts";
import { addUsage, lockUsage, noteThresholds } from "../usage/counters.ts";
import { periodOf, resetsAt } from "../usage/period.ts";
import { limitMessage } from "../usage/service.ts";

type Deps = Pick<AppDeps, "database" | "store" | "metrics">;
type Tx = Parameters<Parameters<AppDeps["database"]["db"]["transaction"]>[0]>[0];
type Outcome = "created" | "updated" | "unchanged";

/** Same id twice in one batch (a span's start and end): merged in order, as if sent one after the other. */
function mergeById<T extends { id: string }>(items: { index: number; item: T }[]) {
  const byId = new Map<string, { indexes: number[]; item: T }>();
  for (const { index, item } of items) {
    const seen = byId.get(item.id);
    if (!seen) byId.set(item.id, { indexes: [index], item });
    else {
      seen.indexes.push(index);
      const defined = Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined && v !== null));
      const finished = seen.item as { status?: string };
      seen.item = {
        ...seen.item,
        ...defined,
        status:
          finished.status !== "running" && defined.status === "running"
            ? finished.status
            : (defined.status ?? finished.status),
      };
    }
  }
  return [...byId.values()];
}

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

const RUN_FIELDS = [
  "ended_at",
  "input",
  "output",
  "error",
  "conversation_id",
  "workflow_version_id",
  "replay_of",
  "replay_from_step",
];
const SPAN_FIELDS = [
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

/**
 * The `set` of an upsert and its "would anything change?" test, from one list of columns. Replaced columns take
 * the new value; kept columns take it only when sent (a span's end does not erase its start's input); status never
 * goes back to running once finished (a late copy of the start must not reopen it).
 */
function upsertParts(table: string, replaced: string[], kept: string[]) {
  const next: Record<string, string> = {};
  for (const column of replaced) next[column] = `excluded.${column}`;
  for (const column of kept) next[column] = `coalesce(excluded.${column}, "${table}".${column})`;
  next.status = `case when "${table}".status <> 'running' and excluded.status = 'running' then "${table}".status else excluded.status end`;
  const columns = Object.keys(next);
  const set: Record<string, SQL> = { updatedAt: sql`now()` };
  for (const column of columns)
    set[column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = sql.raw(next[column]!);
  const changed = sql.raw(
    `(${columns.map((c) => `"${table}".${c}`).join(", ")}) is distinct from (${columns.map((c) => next[c]).join(", ")})`,
  );
  const assignments = [...columns.map((c) => `${c} = ${next[c]}`), "updated_at = now()"].join(", ");
  return { set, changed, assignments };
}

const SPAN_COLUMNS = [
  ["id", "text"],
  ["run_id", "text"],
  ["parent_id", "text"],
  ["name", "text"],
  ["kind", "span_kind"],
  ["status", "run_status"],
  ["started_at", "timestamptz"],
  ["ended_at", "timestamptz"],
  ["input", "jsonb"],
  ["output", "jsonb"],
  ["config", "jsonb"],
  ["attributes", "jsonb"],
  ["model", "text"],
  ["input_tokens", "int4"],
  ["output_tokens", "int4"],
  ["cost_usd", "float8"],
  ["error", "text"],
] as const;

/**
 * Sent as text arrays and cast per row: enum and jsonb arrays need it, and postgres.js (through drizzle) cannot
 * send a timestamptz[] parameter.
 */
const CAST_IN_SELECT = new Set<string>(["jsonb", "span_kind", "run_status", "timestamptz"]);

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/**
 * Spans are the volume: one statement whose parameters are one array per column (`unnest`), so the cost of a
 * batch does not grow with a placeholder per value — and it reads the same on PostgreSQL and PGlite.
 */
async function upsertSpans(tx: Tx, orgId: string, items: IngestSpan[]): Promise<{ id: string; inserted: boolean }[]> {
  const columns: (string | number | null)[][] = SPAN_COLUMNS.map(() => []);
  for (const s of items) {
    const values = [
      s.id,
      s.runId,
      s.parentId ?? null,
      s.name,
      s.kind,
      s.status,
      s.startedAt,
      s.endedAt ?? null,
      json(s.input),
      json(s.output),
      json(s.config),
      json(s.attributes ?? {}),
      s.model ?? null,
      s.inputTokens ?? null,
      s.outputTokens ?? null,
      s.costUsd ?? null,
      s.error ?? null,
    ];
    values.forEach((v, i) => columns[i]!.push(v));
  }
  const { changed, assignments } = upsertParts(
    "spans",
    ["run_id", "name", "kind", "started_at", "attributes"],
    SPAN_FIELDS,
  );
  const names = SPAN_COLUMNS.map(([name]) => name);
  const arrays = sql.join(
    SPAN_COLUMNS.map(
      ([, type], i) => sql`${sql.param(columns[i])}::${sql.raw(CAST_IN_SELECT.has(type) ? "text" : type)}[]`,
    ),
    sql`, `,
  );
  const select = SPAN_COLUMNS.map(([name, type]) =>
    CAST_IN_SELECT.has(type) ? `u.${name}::${type}` : `u.${name}`,
  ).join(", ");
  const result = await tx.execute<{ id: string; inserted: boolean }>(sql`
    insert into spans (org_id, ${sql.raw(names.join(", "))}, updated_at)
    select ${orgId}::uuid, ${sql.raw(select)}, now()
    from unnest(${arrays}) as u(${sql.raw(names.join(", "))})
    on conflict (org_id, id) do update set ${sql.raw(assignments)}
    where ${changed}
    returning id, (xmax = 0) as inserted`);
  return rowsOf(result);
}

/**
 * Recomputes the totals of the runs a batch touched from their spans, moves each to a new `seq` (the row lock
 * orders concurrent batches of one run, so a later copy always carries a higher seq) and returns their summaries.
 */
async function refreshRuns(tx: Tx, orgId: string, runIds: string[]): Promise<RunSummary[]> {
  const result = await tx.execute<RunSummaryRow>(sql`
    update runs r set
      (input_tokens, output_tokens, cost_usd, span_count, error_count) = (
        select coalesce(sum(s.input_tokens), 0), coalesce(sum(s.output_tokens), 0), coalesce(sum(s.cost_usd), 0),
          count(*), count(*) filter (where s.status = 'error')
        from spans s where s.org_id = r.org_id and s.run_id = r.id),
      seq = nextval(pg_get_serial_sequence('runs', 'seq'))
    where r.org_id = ${orgId}::uuid and r.id = any(${sql.param(runIds)}::text[])
    returning ${RUN_SUMMARY_COLUMNS}`);
  return rowsOf<RunSummaryRow>(result).map(toRunSummary);
}

/** Replays run by the SDK (`runtime.replay()`) join their parent's fork tree like the server's own. */
async function recordReplays(tx: Tx, orgId: string, items: IngestRun[]): Promise<void> {
  for (const r of items) {
    await tx.execute(sql`
      insert into replays (org_id, id, parent_run_id, root_run_id, mode, fork_step, overrides, policies, label, executor)
      select ${orgId}::uuid, ${r.id}, ${r.replayOf!},
        coalesce((select root_run_id from replays where org_id = ${orgId}::uuid and id = ${r.replayOf!}), ${r.replayOf!}),
        'workflow', ${r.replayFromStep ?? ""}, ${JSON.stringify(r.replay?.overrides ?? {})}::jsonb,
        ${JSON.stringify(r.replay?.policies ?? {})}::jsonb, ${r.replay?.label ?? null}, 'sdk'
      on conflict (org_id, id) do nothing`);
  }
}

/** Conversations of the touched runs: counts and time span recomputed, and their summary marked as due. */
async function refreshConversations(tx: Tx, orgId: string, conversationIds: string[]): Promise<void> {
  await tx.execute(sql`
    insert into conversations (org_id, id, run_count, error_count, first_at, last_at, activity_at, summary_due)
    select org_id, conversation_id, count(*), count(*) filter (where status = 'error'), min(started_at),
      max(coalesce(ended_at, started_at)), now(), true
    from runs where org_id = ${orgId}::uuid and conversation_id = any(${sql.param(conversationIds)}::text[])
    group by org_id, conversation_id
    on conflict (org_id, id) do update set run_count = excluded.run_count, error_count = excluded.error_count,
      first_at = excluded.first_at, last_at = excluded.last_at, activity_at = now(), summary_due = true,
      summary_attempts = 0`);
}

/**
 * Under a span limit, the new spans of a batch that crosses it are taken in order up to the limit and the rest
 * refused one by one; spans already stored (a span's end after its start) are always taken. Returns the refused.
 */
async function holdToSpanLimit(
  tx: Tx,
  orgId: string,
  period: string,
  limit: number,
  spans: { indexes: number[]; item: IngestSpan }[],
): Promise<{ refused: Set<string> }> {
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
  return { refused };
}

/** Within this many full batches of the limit, batches count against it exactly, one organisation at a time. */
const NEAR_LIMIT_BATCHES = 10;

/**
 * Whether a batch must hold the organisation's usage row while it is written. Far below the limit (by the usage
 * read before the transaction) it need not: batches of one organisation are then written side by side, and only
 * the last few batches before the limit queue up to be counted exactly.
 */
function nearLimit(limit: number, usage: number | undefined): boolean {
  if (limit <= 0) return false;
  return usage === undefined || usage + NEAR_LIMIT_BATCHES * INGEST_MAX_ITEMS >= limit;
}

/**
 * Validates each item on its own, then writes the valid ones in one transaction with one multi-row upsert per
 * table. Idempotent by (organisation, id): an item identical to what is stored is reported `unchanged`.
 * With `spanLimit` (> 0), new spans beyond the month's limit are refused per item (`limited` counts them).
 */
export async function ingestBatch(
  deps: Deps,
  orgId: string,
  rawItems: unknown[],
  options: { spanLimit?: number; spanUsage?: number } = {},
) {
  const results = new Array<IngestResult>(rawItems.length);
  const runItems: { index: number; item: IngestRun }[] = [];
  const spanItems: { index: number; item: IngestSpan }[] = [];
  rawItems.forEach((raw, index) => {
    const parsed = ZIngestItem.safeParse(raw);
    if (!parsed.success) {
      const r = raw as { type?: unknown; id?: unknown } | null;
      results[index] = {
        index,
        status: "error",
        type: typeof r?.type === "string" ? r.type : undefined,
        id: typeof r?.id === "string" ? r.id : undefined,
        error: parsed.error.issues.map((i) => `${i.path.join(".") || "item"}: ${i.message}`).join("; "),
      };
    } else if (parsed.data.type === "run") runItems.push({ index, item: parsed.data });
    else spanItems.push({ index, item: parsed.data });
  });

  const mergedRuns = mergeById(runItems);
  let mergedSpans = mergeById(spanItems);
  const spanLimit = options.spanLimit ?? 0;
  const period = periodOf();
  let limited = 0;
  const outcomes = new Map<string, Outcome>();
  let summaries: RunSummary[] = [];
  const changedSpans = new Map<string, string[]>();

  await deps.database.db.transaction(async (tx) => {
    if (nearLimit(spanLimit, options.spanUsage) && mergedSpans.length > 0) {
      const held = await holdToSpanLimit(tx, orgId, period, spanLimit, mergedSpans);
      if (held.refused.size > 0) {
        const error = limitMessage({ metric: "spans", limit: spanLimit, usage: spanLimit, resetsAt: resetsAt(period) });
        for (const { indexes, item } of mergedSpans.filter((s) => held.refused.has(s.item.id))) {
          for (const index of indexes) results[index] = { index, type: "span", id: item.id, status: "error", error };
          limited += indexes.length;
        }
        mergedSpans = mergedSpans.filter((s) => !held.refused.has(s.item.id));
      }
    }
    if (mergedRuns.length > 0) {
      const { set, changed } = upsertParts("runs", ["name", "started_at", "tags", "metadata"], RUN_FIELDS);
      const written = await tx
        .insert(runs)
        .values(mergedRuns.map((r) => runRow(orgId, r.item)))
        .onConflictDoUpdate({ target: [runs.orgId, runs.id], set, setWhere: changed })
        .returning({ id: runs.id, inserted: sql<boolean>`xmax = 0` });
      for (const w of written) outcomes.set(`run:${w.id}`, w.inserted ? "created" : "updated");
    }
    const replayRuns = mergedRuns.filter((r) => r.item.replayOf);
    if (replayRuns.length > 0)
      await recordReplays(
        tx,
        orgId,
        replayRuns.map((r) => r.item),
      );
    // Spans may arrive before their run: a placeholder run keeps the tree whole until the run itself arrives.
    const knownRuns = new Set(mergedRuns.map((r) => r.item.id));
    const placeholders = new Map<string, IngestSpan>();
    for (const { item } of mergedSpans)
      if (!knownRuns.has(item.runId) && !placeholders.has(item.runId)) placeholders.set(item.runId, item);
    let placeholderCount = 0;
    if (placeholders.size > 0) {
      const created = await tx
        .insert(runs)
        .values(
          [...placeholders].map(([runId, span]) => ({
            orgId,
            id: runId,
            name: span.name,
            status: "running" as const,
            startedAt: new Date(span.startedAt),
          })),
        )
        .onConflictDoNothing()
        .returning({ id: runs.id });
      placeholderCount = created.length;
      for (const { id } of created) outcomes.set(`placeholder:${id}`, "created");
    }
    if (mergedSpans.length > 0) {
      for (const w of await upsertSpans(
        tx,
        orgId,
        mergedSpans.map((m) => m.item),
      )) {
        outcomes.set(`span:${w.id}`, w.inserted ? "created" : "updated");
      }
    }
    const spanRuns = new Map(mergedSpans.map(({ item }) => [item.id, item.runId]));
    const changedRuns = new Set<string>();
    for (const key of outcomes.keys()) {
      const [type, id] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
      if (type !== "span") changedRuns.add(id);
      else {
        const runId = spanRuns.get(id)!;
        changedRuns.add(runId);
        changedSpans.set(runId, [...(changedSpans.get(runId) ?? []), id]);
      }
    }
    if (changedRuns.size > 0) {
      summaries = await refreshRuns(tx, orgId, [...changedRuns]);
      const conversationIds = [...new Set(summaries.flatMap((r) => (r.conversationId ? [r.conversationId] : [])))];
      if (conversationIds.length > 0) await refreshConversations(tx, orgId, conversationIds);
    }
    const newRuns = [...outcomes].filter(([k, v]) => k.startsWith("run:") && v === "created").length + placeholderCount;
    const newSpans = [...outcomes].filter(([k, v]) => k.startsWith("span:") && v === "created").length;
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
  });

  for (const [type, merged] of [
    ["run", mergedRuns],
    ["span", mergedSpans],
  ] as const) {
    for (const { indexes, item } of merged) {
      const outcome = outcomes.get(`${type}:${item.id}`) ?? "unchanged";
      for (const index of indexes) results[index] = { index, type, id: item.id, status: outcome };
    }
  }

  if (summaries.length > 0) {
    await publishRunChanges(deps, orgId, { runs: summaries, spans: Object.fromEntries(changedSpans) });
  }
  const rejected = results.filter((r) => r.status === "error").length;
  deps.metrics.spansIngested.inc(results.filter((r) => r.type === "span" && r.status !== "error").length);
  return { results, accepted: results.length - rejected, rejected, limited };
}
