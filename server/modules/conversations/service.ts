import { sql } from "drizzle-orm";
import type { ConversationSummary, RunSummary, TranscriptMessage } from "@shared/schemas/runs.ts";
import { chatCompletion } from "@shared/workflow/openai-compatible.ts";
import { DEFAULT_CREDENTIAL } from "@shared/workflow/steps.ts";
import type { AppDeps } from "../../deps.ts";
import { badRequest, notFound } from "../../lib/errors.ts";
import { resolveCredential } from "../credentials/service.ts";
import { rowsOf } from "../../infra/db.ts";
import { RUN_SUMMARY_COLUMNS, type RunSummaryRow, toRunSummary } from "../runs/rows.ts";
import { SUMMARY_SYSTEM, extractiveSummary, summaryPrompt } from "./summarize.ts";
import { type LlmSpanRow, buildTranscript } from "./transcript.ts";

type Deps = Pick<AppDeps, "database" | "config" | "log">;

const MAX_RUNS = 500;
const MAX_LLM_SPANS = 2_000;
/** How long one instance may hold a conversation while writing its summary before another may take over. */
const LEASE = "2 minutes";
const MAX_ATTEMPTS = 5;

type ConversationRow = {
  id: string;
  run_count: number;
  error_count: number;
  first_ms: number;
  last_ms: number;
  summary: string | null;
  summary_source: "llm" | "extractive" | null;
  summarized_ms: number | null;
};

const CONVERSATION_COLUMNS = sql.raw(`id, run_count, error_count,
  (extract(epoch from first_at) * 1000)::float8 as first_ms, (extract(epoch from last_at) * 1000)::float8 as last_ms,
  summary, summary_source, (extract(epoch from summarized_at) * 1000)::float8 as summarized_ms`);

const iso = (ms: number) => new Date(Math.round(Number(ms))).toISOString();

function toConversation(r: ConversationRow): ConversationSummary {
  return {
    id: r.id,
    runCount: Number(r.run_count),
    errorCount: Number(r.error_count),
    firstAt: iso(r.first_ms),
    lastAt: iso(r.last_ms),
    summary: r.summary,
    summarySource: r.summary_source,
    summarizedAt: r.summarized_ms === null ? null : iso(r.summarized_ms),
  };
}

function encodeCursor(lastMs: number, id: string) {
  return Buffer.from(JSON.stringify([lastMs, id])).toString("base64url");
}

function decodeCursor(cursor: string): [number, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown;
    if (Array.isArray(value) && typeof value[0] === "number" && typeof value[1] === "string")
      return [value[0], value[1]];
  } catch {
    // reported below
  }
  throw badRequest("The page cursor is not valid; start again from the first page");
}

/** Conversations, most recently active first; `q` matches the conversation id or its summary. */
export async function listConversations(
  deps: Pick<AppDeps, "database">,
  orgId: string,
  input: { cursor?: string | null; limit: number; q?: string },
): Promise<{ items: ConversationSummary[]; nextCursor: string | null }> {
  const where = [sql`org_id = ${orgId}::uuid`];
  const q = input.q?.trim();
  if (q) {
    // `%` and `_` are taken literally, in the id and in the summary alike.
    const pattern = `%${q.replace(/[\\%_]/g, "\\$&")}%`;
    where.push(sql`(id ilike ${pattern} or summary ilike ${pattern})`);
  }
  if (input.cursor) {
    const [lastMs, id] = decodeCursor(input.cursor);
    where.push(sql`(last_at, id) < (to_timestamp(${lastMs / 1000}), ${id})`);
  }
  const rows = rowsOf<ConversationRow>(
    await deps.database.db.execute<ConversationRow>(sql`
      select ${CONVERSATION_COLUMNS} from conversations where ${sql.join(where, sql` and `)}
      order by last_at desc, id desc limit ${input.limit + 1}`),
  );
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(toConversation),
    nextCursor: rows.length > input.limit && last ? encodeCursor(Number(last.last_ms), last.id) : null,
  };
}

async function conversationRuns(deps: Pick<AppDeps, "database">, orgId: string, id: string): Promise<RunSummary[]> {
  const rows = await deps.database.db.execute<RunSummaryRow>(sql`
    select ${RUN_SUMMARY_COLUMNS} from runs where org_id = ${orgId}::uuid and conversation_id = ${id}
    order by started_at, id limit ${MAX_RUNS}`);
  return rowsOf<RunSummaryRow>(rows).map(toRunSummary);
}

async function conversationTranscript(
  deps: Pick<AppDeps, "database">,
  orgId: string,
  runs: RunSummary[],
): Promise<TranscriptMessage[]> {
  if (runs.length === 0) return [];
  type Row = { run_id: string; id: string; started_ms: number; model: string | null; input: unknown; output: unknown };
  const rows = await deps.database.db.execute<Row>(sql`
    select run_id, id, (extract(epoch from started_at) * 1000)::float8 as started_ms, model, input, output
    from spans
    where org_id = ${orgId}::uuid and run_id = any(${sql.param(runs.map((r) => r.id))}::text[]) and kind = 'llm'
    order by started_at, id limit ${MAX_LLM_SPANS}`);
  const spans: LlmSpanRow[] = rowsOf<Row>(rows).map((r) => ({
    runId: r.run_id,
    spanId: r.id,
    at: iso(r.started_ms),
    model: r.model,
    input: r.input,
    output: r.output,
  }));
  return buildTranscript(spans);
}

export async function getConversation(deps: Pick<AppDeps, "database">, orgId: string, id: string) {
  const [row] = rowsOf<ConversationRow>(
    await deps.database.db.execute<ConversationRow>(sql`
      select ${CONVERSATION_COLUMNS} from conversations where org_id = ${orgId}::uuid and id = ${id}`),
  );
  if (!row) throw notFound("Conversation not found");
  const runs = await conversationRuns(deps, orgId, id);
  const transcript = await conversationTranscript(deps, orgId, runs);
  return { conversation: toConversation(row), runs, transcript };
}

/**
 * Writes one conversation's summary: by the organisation's default LLM credential when it has one (falling back
 * to an extractive summary if the provider or the credential fails), otherwise extracted from the transcript.
 */
export async function writeSummary(
  deps: Deps,
  orgId: string,
  id: string,
  options: { fetch?: typeof fetch } = {},
): Promise<{ source: "llm" | "extractive"; error: string | null }> {
  // The activity this summary covers, read before the runs: whatever is ingested from here on changes
  // `activity_at`, which keeps the summary due (whether or not this instance holds a lease on it).
  const [covered] = rowsOf<{ activity: string }>(
    await deps.database.db.execute<{ activity: string }>(sql`
      select activity_at::text as activity from conversations where org_id = ${orgId}::uuid and id = ${id}`),
  );
  const runs = await conversationRuns(deps, orgId, id);
  const transcript = await conversationTranscript(deps, orgId, runs);
  let summary = extractiveSummary(transcript, runs);
  let source: "llm" | "extractive" = "extractive";
  let error: string | null = null;
  try {
    // Inside the fallback: a credential that cannot be opened (sealed with a retired key) must not stop the summary.
    const credential = transcript.length > 0 ? await resolveCredential(deps, orgId, DEFAULT_CREDENTIAL) : null;
    if (credential) {
      const result = await chatCompletion({
        model: deps.config.summaries.model,
        system: SUMMARY_SYSTEM,
        prompt: summaryPrompt(transcript, runs),
        temperature: 0.2,
        maxTokens: 300,
        baseUrl: credential.baseUrl,
        apiKey: credential.apiKey,
        signal: AbortSignal.timeout(30_000),
        fetch: options.fetch,
      });
      // PostgreSQL text cannot hold NUL characters: the provider's answer is stored without them.
      const text = result.text.replaceAll("\0", "").trim();
      if (text) {
        summary = text;
        source = "llm";
      }
    }
  } catch (cause) {
    error = `The LLM provider failed (${cause instanceof Error ? cause.message : String(cause)}); extracted instead`;
    deps.log.warn("Conversation summary: provider failed, extracted instead", { orgId, conversation: id, error });
  }
  await deps.database.db.execute(sql`
    update conversations set summary = ${summary}, summary_source = ${source}, summarized_at = now(),
      summary_error = ${error}, summary_lease_until = null, summary_attempts = 0,
      summary_due = activity_at is distinct from ${covered?.activity ?? null}::timestamptz
    where org_id = ${orgId}::uuid and id = ${id}`);
  return { source, error };
}

/**
 * Claims conversations whose summary is due and that have been quiet for `quietMs`, across instances: the claim
 * is a lease taken under `FOR UPDATE SKIP LOCKED`, so two instances never pick the same one, and a lease whose
 * holder died runs out and is picked up again. `orgId` limits the claim to one organisation.
 */
export async function claimDueConversations(
  deps: Pick<AppDeps, "database">,
  { quietMs, limit, orgId }: { quietMs: number; limit: number; orgId?: string },
): Promise<{ orgId: string; id: string }[]> {
  const due = sql`summary_due and activity_at < now() - ${`${quietMs} milliseconds`}::interval`;
  const scope = orgId ? sql`org_id = ${orgId}::uuid` : sql`true`;
  const rows = await deps.database.db.execute<{ org_id: string; id: string }>(sql`
    update conversations c set summary_lease_until = now() + ${LEASE}::interval, summary_attempts = summary_attempts + 1
    from (
      select org_id, id from conversations
      where (${due}) and (${scope}) and (summary_lease_until is null or summary_lease_until < now())
        and summary_attempts < ${MAX_ATTEMPTS}
      order by activity_at limit ${limit}
      for update skip locked
    ) picked
    where c.org_id = picked.org_id and c.id = picked.id
    returning c.org_id, c.id`);
  return rowsOf<{ org_id: string; id: string }>(rows).map((r) => ({ orgId: r.org_id, id: r.id }));
}

/** The background job: summarises what is due, a few at a time. */
export async function summarizeDueConversations(deps: Deps, limit = 20): Promise<number> {
  const claimed = await claimDueConversations(deps, { quietMs: deps.config.summaries.quietMs, limit });
  for (const { orgId, id } of claimed) await writeSummary(deps, orgId, id);
  return claimed.length;
}

/** Conversations whose summary is missing or older than their last activity (every one with `everything`). */
export async function conversationsToResync(
  deps: Pick<AppDeps, "database">,
  { everything = false, orgId }: { everything?: boolean; orgId?: string } = {},
): Promise<{ orgId: string; id: string }[]> {
  const rows = await deps.database.db.execute<{ org_id: string; id: string }>(sql`
    select org_id, id from conversations
    where (${everything ? sql`true` : sql`summary is null or summary_due`})
      and (${orgId ? sql`org_id = ${orgId}::uuid` : sql`true`})
    order by activity_at`);
  return rowsOf<{ org_id: string; id: string }>(rows).map((r) => ({ orgId: r.org_id, id: r.id }));
}
