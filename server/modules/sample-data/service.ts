import { sql } from "drizzle-orm";
import type { IngestItem } from "@shared/schemas/ingest.ts";
import type { RemovedSampleData, SampleDataStatus } from "@shared/schemas/sample-data.ts";
import { hashDefinition } from "@shared/workflow/hash.ts";
import { EchosRuntime } from "../../../sdk/runtime.ts";
import type { AppDeps } from "../../deps.ts";
import { rowsOf } from "../../infra/db.ts";
import { conflict } from "../../lib/errors.ts";
import { demoClock, playDemoDay } from "../dev-seed/demo-runs.ts";
import { demoTools } from "../dev-seed/demo-tools.ts";
import { DEMO_WORKFLOWS } from "../dev-seed/demo-workflows.ts";
import { ingest } from "../ingest/ingest.ts";
import { publishRunChanges } from "../runs/events.ts";
import { type Actor, requireRole } from "../orgs/service.ts";
import { tidyConversations } from "../retention/service.ts";
import { registerWorkflowVersion } from "../workflows/service.ts";
import { CollectingClient } from "./collecting-client.ts";

type Deps = Pick<AppDeps, "database" | "store" | "metrics" | "config" | "log">;

/** Sample runs carry this tag and `metadata.sample = true`; only a run with both is sample data. */
export const SAMPLE_TAG = "sample";
/** Conversations the sample chats make are named apart from any of the organisation's own. */
const SAMPLE_CONVERSATION_PREFIX = "sample-";
/** How long a load may hold the organisation's load lock; a load takes seconds. */
const LOAD_LOCK_MS = 5 * 60_000;

const isSampleRun = sql`${SAMPLE_TAG} = any(tags) and metadata @> '{"sample": true}'::jsonb`;

function markSample(item: IngestItem): IngestItem {
  if (item.type !== "run") return item;
  return {
    ...item,
    tags: [...new Set([...(item.tags ?? []), SAMPLE_TAG])],
    metadata: { ...item.metadata, sample: true },
    conversationId: item.conversationId ? `${SAMPLE_CONVERSATION_PREFIX}${item.conversationId}` : item.conversationId,
  };
}

export async function sampleDataStatus(deps: Pick<AppDeps, "database">, orgId: string): Promise<SampleDataStatus> {
  const [row] = rowsOf<{ runs: number }>(
    await deps.database.db.execute<{ runs: number }>(
      sql`select count(*)::int as runs from runs where org_id = ${orgId}::uuid and ${isSampleRun}`,
    ),
  );
  return { runs: Number(row?.runs ?? 0) };
}

/**
 * Fills the organisation with a day of a support team's runs — the demo agents run in this process with the
 * built-in `echos/sim` model, so some fail for real causes worth a Test fix — marked as sample data and not
 * counted against the organisation's usage. Loading again while samples exist adds nothing.
 */
export async function loadSampleData(deps: Deps, actor: Actor, orgId: string): Promise<SampleDataStatus> {
  await requireRole(deps, orgId, actor.userId, "admin");
  const lock = `sample-data:load:${orgId}`;
  if ((await deps.store.increment(lock, LOAD_LOCK_MS)).count > 1)
    throw conflict("Sample data is already being loaded for this organisation; it will appear in a few seconds");
  try {
    const existing = await sampleDataStatus(deps, orgId);
    if (existing.runs > 0) return existing;
    for (const definition of DEMO_WORKFLOWS)
      await registerWorkflowVersion(deps, orgId, {
        name: definition.name,
        hash: hashDefinition(definition),
        definition,
      });
    const client = new CollectingClient(markSample);
    // No key: the runtime registers nothing over HTTP (the versions are stored above).
    const runtime = new EchosRuntime({ client, apiKey: "", tools: demoTools, clock: demoClock, onError: () => {} });
    try {
      await playDemoDay(runtime);
    } finally {
      await client.shutdown(0);
    }
    const { rejected, results } = await ingest(deps, orgId, client.items, { spanLimit: false, countUsage: false });
    if (rejected > 0)
      deps.log.warn("Sample data items refused", { orgId, errors: results.filter((r) => r.status === "error") });
    deps.log.info("Sample data loaded", { orgId, items: client.items.length });
    return await sampleDataStatus(deps, orgId);
  } finally {
    await deps.store.delete(lock);
  }
}

/**
 * Deletes the sample runs, the replays made from them (whole fork trees), their spans and replay records, and the
 * conversations only they made. The organisation's own runs, workflows and everything else stay.
 */
export async function removeSampleData(
  deps: Pick<AppDeps, "database" | "config" | "log" | "store">,
  actor: Actor,
  orgId: string,
): Promise<RemovedSampleData> {
  await requireRole(deps, orgId, actor.userId, "admin");
  const removed = await deps.database.db.transaction(async (tx) => {
    const targets = rowsOf<{ id: string; conversation_id: string | null }>(
      await tx.execute<{ id: string; conversation_id: string | null }>(sql`
        with sample as (select id from runs where org_id = ${orgId}::uuid and ${isSampleRun})
        select r.id, r.conversation_id from runs r
        where r.org_id = ${orgId}::uuid and (
          r.id in (select id from sample)
          or r.id in (select p.id from replays p where p.org_id = ${orgId}::uuid
                      and p.root_run_id in (select id from sample)))`),
    );
    if (targets.length === 0) return { runs: 0, spans: 0, conversations: 0, ids: [] };
    const ids = sql.param(targets.map((t) => t.id));
    const spans = rowsOf(
      await tx.execute(
        sql`delete from spans where org_id = ${orgId}::uuid and run_id = any(${ids}::text[]) returning id`,
      ),
    ).length;
    await tx.execute(sql`delete from replays where org_id = ${orgId}::uuid and id = any(${ids}::text[])`);
    const runs = rowsOf(
      await tx.execute(sql`delete from runs where org_id = ${orgId}::uuid and id = any(${ids}::text[]) returning id`),
    ).length;
    const conversationIds = [...new Set(targets.flatMap((t) => (t.conversation_id ? [t.conversation_id] : [])))];
    const conversations = conversationIds.length > 0 ? await tidyConversations(tx, orgId, conversationIds) : 0;
    deps.log.info("Sample data removed", { orgId, runs, spans, conversations });
    return { runs, spans, conversations, ids: targets.map((t) => t.id) };
  });
  const { ids, ...counts } = removed;
  // Live views replaying the log from before would bring the deleted runs back: the entry tells them to reload.
  if (ids.length > 0) await publishRunChanges(deps, orgId, { runs: [], spans: {}, removed: ids });
  return counts;
}
