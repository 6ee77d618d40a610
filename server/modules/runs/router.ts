import { tracked } from "@trpc/server";
import { z } from "zod";
import {
  OVERVIEW_RANGES,
  type RunEvent,
  ZOverview,
  ZRunComparison,
  ZRunFacets,
  ZRunListInput,
  ZRunPage,
  ZRunWithSpans,
  ZSpanDetail,
} from "@shared/schemas/runs.ts";
import { ZRecordId } from "@shared/schemas/ids.ts";
import { withConcurrencyLimit } from "../../infra/concurrency-limit.ts";
import { orgProcedure, parseSync, router } from "../../trpc/init.ts";
import { ZLastEventId } from "../live/follow.ts";
import { followRuns, latestRuns, runsLiveMessages } from "./events.ts";
import { compareRuns } from "./compare.ts";
import { listRuns } from "./list.ts";
import { getRun, getSpan, overview, runFacets, spansByIds } from "./service.ts";

const ZRunId = ZRecordId;

/**
 * The overview aggregates every run of its range (30 days of them, say): at most two at a time per organisation,
 * across instances, so one organisation's burst of them holds two database connections, not the whole pool.
 */
export const OVERVIEW_CONCURRENCY = 2;
const overviewLimit = (orgId: string) => ({
  key: `overview:${orgId}`,
  max: OVERVIEW_CONCURRENCY,
  staleMs: 60_000,
  refusal: `At most ${OVERVIEW_CONCURRENCY} overview queries run at once for an organisation; retry in a moment`,
});

export const runsRouter = router({
  list: orgProcedure("viewer")
    .input(ZRunListInput)
    .output(parseSync(ZRunPage))
    .query(({ ctx, input }) => listRuns(ctx.deps, ctx.org.id, input)),

  facets: orgProcedure("viewer")
    .output(parseSync(ZRunFacets))
    .query(({ ctx }) => runFacets(ctx.deps, ctx.org.id)),

  get: orgProcedure("viewer")
    .input(z.object({ runId: ZRunId }))
    .output(parseSync(ZRunWithSpans))
    .query(({ ctx, input }) => getRun(ctx.deps, ctx.org.id, input.runId)),

  span: orgProcedure("viewer")
    .input(z.object({ runId: ZRunId, spanId: ZRunId }))
    .output(parseSync(ZSpanDetail))
    .query(({ ctx, input }) => getSpan(ctx.deps, ctx.org.id, input.runId, input.spanId)),

  /** Two runs side by side: any two of the organisation, whatever their workflows. */
  compare: orgProcedure("viewer")
    .input(z.object({ a: ZRunId, b: ZRunId }))
    .output(parseSync(ZRunComparison))
    .query(({ ctx, input }) => compareRuns(ctx.deps, ctx.org.id, input.a, input.b)),

  overview: orgProcedure("viewer")
    .input(z.object({ range: z.enum(OVERVIEW_RANGES).default("24h") }))
    .output(parseSync(ZOverview))
    .query(({ ctx, input }) =>
      withConcurrencyLimit(ctx.deps.store, overviewLimit(ctx.org.id), () =>
        overview(ctx.deps, ctx.org.id, input.range),
      ),
    ),

  /**
   * The organisation's runs as they change. Start from the `eventId` of the `list` you rendered; a reconnecting
   * client resumes from the last event it received. `reset` means the gap could not be filled: reload the list.
   * Browsers reach this through the hand-written event stream in http/live.ts, which sends the same messages.
   */
  live: orgProcedure("viewer")
    .input(z.object({ lastEventId: ZLastEventId }))
    .subscription(async function* ({ ctx, input, signal }) {
      for await (const { id, batch } of followRuns(ctx.deps, ctx.org.id, input.lastEventId, signal))
        for (const message of runsLiveMessages(id, batch)) yield tracked(message.id, message.event);
    }),

  /** One run as it changes: its summary and the spans that started or ended, from `get`'s `eventId` on. */
  liveRun: orgProcedure("viewer")
    .input(z.object({ runId: ZRunId, lastEventId: ZLastEventId }))
    .subscription(async function* ({ ctx, input, signal }) {
      for await (const { id, batch } of followRuns(ctx.deps, ctx.org.id, input.lastEventId, signal)) {
        if (batch.kind === "reset") {
          yield tracked(id, { type: "reset" } satisfies RunEvent);
          continue;
        }
        if (batch.entries.some((entry) => entry.removed?.includes(input.runId))) {
          yield tracked(id, { type: "reset" } satisfies RunEvent);
          continue;
        }
        const [run] = latestRuns(batch.entries, input.runId);
        if (!run) continue;
        const spanIds = new Set(batch.entries.flatMap((e) => e.spans[input.runId] ?? []));
        const spans = await spansByIds(ctx.deps, ctx.org.id, input.runId, [...spanIds]);
        yield tracked(id, { type: "run", run, spans } satisfies RunEvent);
      }
    }),
});
