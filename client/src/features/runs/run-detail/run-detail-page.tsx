import { skipToken } from "@tanstack/react-query";
import { FileQuestion, ListTree, RefreshCw } from "lucide-react";
import { useCallback, useEffect, useMemo, useState, type ComponentType } from "react";
import { Link, useLocation, useParams, useSearchParams } from "react-router";
import type { RunSummary, SpanSummary } from "@shared/schemas/runs.ts";
import { Alert } from "../../../components/alert.tsx";
import { Button } from "../../../components/button.tsx";
import { EmptyState } from "../../../components/empty-state.tsx";
import { errorMessage, errorStatus } from "../../../lib/errors.ts";
import { useLiveSubscription } from "../../../lib/live/use-live-subscription.ts";
import { formatInteger } from "../../../lib/run-format.ts";
import { trpc } from "../../../lib/trpc.ts";
import { useClock } from "../../../lib/use-clock.ts";
import type { Role } from "@shared/roles.ts";
import { useCurrentOrg } from "../../session/use-current-org.ts";
import { RunHeader } from "./run-header.tsx";
import { RunPanel, SpanPanel } from "./span-panel.tsx";
import type { RunData } from "./types.ts";
import { buildSpanTree, flattenTree, upsertSpans } from "./span-tree.ts";
import { SpanWaterfall } from "./span-waterfall.tsx";
import "../runs.css";

/** Spans and the run summary as the live stream delivered them since the snapshot (`runs.get`). */
interface LiveState {
  spans: ReadonlyMap<string, SpanSummary>;
  run: RunSummary | null;
}
const NO_LIVE: LiveState = { spans: new Map(), run: null };

/** The snapshot's run with a newer live summary laid over it (payloads and the full error stay the snapshot's). */
function mergeRun(base: RunData, live: RunSummary | null): RunData {
  if (!live || live.seq <= base.seq) return base;
  return { ...base, ...live, error: base.error && live.error ? base.error : live.error };
}

/** The replay feature's parts of a run's page, handed in by the route so that runs does not depend on replay. */
export interface RunReplayParts {
  /** Under the header: which run this one replays, and from which step. */
  Lineage: ComponentType<{ orgId: string; runId: string }>;
  /** Under the spans: the run's replays and theirs. */
  ForkTree: ComponentType<{ orgId: string; runId: string; className?: string }>;
  /** The Test fix (or playground) button of the run, or of its selected span. */
  Action: ComponentType<{
    run: { id: string; workflowVersionId: string | null };
    span: SpanSummary | null;
    role: Role;
    size?: "sm" | "md";
  }>;
  /** The header's way into the playground for a run without a workflow: its LLM calls by span name. */
  Playground: ComponentType<{
    runId: string;
    calls: readonly { id: string; name: string; model: string | null }[];
    role: Role;
  }>;
}

const PANEL_HEIGHT = "h-[max(28rem,calc(100dvh-20rem))]";

function DetailSkeleton() {
  return (
    <div role="status" aria-label="Loading run" className="animate-pulse">
      <div className="mb-3 h-4 w-14 rounded bg-zinc-200 dark:bg-zinc-800" />
      <div className="h-7 w-64 rounded bg-zinc-200 dark:bg-zinc-800" />
      <div className="mt-3 h-4 w-96 max-w-full rounded bg-zinc-200/70 dark:bg-zinc-800/70" />
      <div className="mt-4 h-[74px] rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
      <div className="mt-5 grid gap-4 xl:grid-cols-[minmax(0,1fr)_400px]">
        <div className="h-96 rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
        <div className="h-96 rounded-lg bg-zinc-200/40 dark:bg-zinc-800/30" />
      </div>
    </div>
  );
}

function RunDetailView({
  orgId,
  runId,
  role,
  replay,
}: {
  orgId: string;
  runId: string;
  role: Role;
  replay: RunReplayParts;
}) {
  // Time to first render of the span tree is measured from here (see SpanWaterfall).
  useState(() => performance.mark("echos:run-detail-start"));
  const location = useLocation();
  const backTo = (location.state as { from?: string } | null)?.from ?? "/runs";
  const [params, setParams] = useSearchParams();
  // The selection lives here and reaches the URL (`?span=`, for sharing) once the user pauses: walking the tree with
  // the arrow keys re-renders the tree and panel only, not the whole route.
  const [selectedId, setSelectedId] = useState(() => params.get("span"));
  const urlSpan = params.get("span");
  useEffect(() => {
    if (selectedId === urlSpan) return;
    const here = window.location.pathname;
    const timer = setTimeout(() => {
      // The user may have left meanwhile (Test fix pressed within the pause) while this page is still mounted: the
      // selection must not navigate them back to it.
      if (window.location.pathname !== here) return;
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (selectedId) next.set("span", selectedId);
          else next.delete("span");
          return next;
        },
        { replace: true },
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [selectedId, urlSpan, setParams]);
  const utils = trpc.useUtils();

  // The live stream keeps the snapshot current, so it is never refetched on its own (a 10,000-span run is a few MB).
  const query = trpc.runs.get.useQuery({ orgId, runId }, { staleTime: Infinity, refetchOnWindowFocus: false });
  const data = query.data;

  const [live, setLive] = useState<LiveState>(NO_LIVE);
  const [startId, setStartId] = useState<string | null>(null);
  if (startId === null && data) setStartId(data.eventId);
  const { refetch } = query;
  const connection = useLiveSubscription(trpc.runs.liveRun, startId !== null ? { orgId, runId } : skipToken, {
    startId,
    onData: (event) => {
      if (event.type === "reset") {
        void refetch();
        return;
      }
      setLive((prev) => ({
        spans: upsertSpans(prev.spans, event.spans),
        run: !prev.run || event.run.seq > prev.run.seq ? event.run : prev.run,
      }));
      // A span whose details are open changed: load its payloads again (only the open one refetches).
      if (selectedId && event.spans.some((s) => s.id === selectedId))
        void utils.runs.span.invalidate({ orgId, runId, spanId: selectedId });
      // The run just finished: its output and full error are only in the detail.
      if (data?.run.status === "running" && event.run.status !== "running") void refetch();
    },
  });

  const baseSpans = useMemo(() => new Map(data?.spans.map((s) => [s.id, s])), [data]);
  const spans = useMemo(
    () => (live.spans.size === 0 ? baseSpans : upsertSpans(baseSpans, [...live.spans.values()])),
    [baseSpans, live.spans],
  );
  const tree = useMemo(() => buildSpanTree(spans.values()), [spans]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const rows = useMemo(() => flattenTree(tree, collapsed), [tree, collapsed]);

  const run = useMemo(() => (data ? mergeRun(data.run, live.run) : null), [data, live.run]);
  const active = run?.status === "running";
  const now = useClock(1000, active);

  const workflowVersionId = run?.workflowVersionId ?? null;
  const { Action, Lineage, ForkTree, Playground } = replay;
  // The LLM calls in the order they ran, as a string so that live updates of other spans keep the header as it is.
  const llmCalls = useMemo(
    () =>
      JSON.stringify(
        [...spans.values()]
          .filter((s) => s.kind === "llm")
          .sort(
            (a, b) =>
              a.startedAt.localeCompare(b.startedAt) ||
              (a.endedAt ?? "").localeCompare(b.endedAt ?? "") ||
              a.id.localeCompare(b.id),
          )
          .map((s) => ({ id: s.id, name: s.name, model: s.model })),
      ),
    [spans],
  );
  const headerActions = useMemo(
    () =>
      workflowVersionId ? (
        <Action run={{ id: runId, workflowVersionId }} span={null} role={role} size="md" />
      ) : (
        <Playground
          runId={runId}
          calls={JSON.parse(llmCalls) as { id: string; name: string; model: string | null }[]}
          role={role}
        />
      ),
    [Action, Playground, runId, workflowVersionId, role, llmCalls],
  );

  const select = useCallback((id: string | null) => setSelectedId(id), []);
  const toggle = useCallback((id: string, expanded?: boolean) => {
    setCollapsed((prev) => {
      const isCollapsed = prev.has(id);
      const collapse = expanded === undefined ? !isCollapsed : !expanded;
      if (collapse === isCollapsed) return prev;
      const next = new Set(prev);
      if (collapse) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);

  if (!data || !run) {
    if (query.isError) {
      if (errorStatus(query.error) === 404)
        return (
          <EmptyState
            icon={FileQuestion}
            title="Run not found"
            description={
              <>
                No run <code className="font-mono text-[13px]">{runId}</code> in this organisation. It may belong to
                another organisation, or its id was mistyped.
              </>
            }
          >
            <Link to="/runs" className="text-sm font-medium text-indigo-600 hover:text-indigo-500">
              Back to runs
            </Link>
          </EmptyState>
        );
      return (
        <div className="space-y-3">
          <Alert>Could not load this run: {errorMessage(query.error)}</Alert>
          <Button onClick={() => void query.refetch()}>
            <RefreshCw aria-hidden="true" className="size-4" />
            Try again
          </Button>
        </div>
      );
    }
    return <DetailSkeleton />;
  }

  const runStart = Date.parse(run.startedAt);
  const t0 = Math.min(runStart, tree.minStart ?? runStart);
  const runEnd = run.endedAt ? Date.parse(run.endedAt) : null;
  const t1 = active ? Math.max(now, tree.maxEnd ?? t0) : Math.max(runEnd ?? tree.maxEnd ?? t0, tree.maxEnd ?? t0);
  const selected = selectedId ? tree.byId.get(selectedId) : undefined;

  return (
    <div data-testid="run-detail">
      <RunHeader
        run={run}
        spanCount={data.truncated ? run.spanCount : tree.byId.size}
        errorCount={data.truncated ? run.errorCount : tree.errors}
        connection={connection}
        backTo={backTo}
        actions={headerActions}
      />
      <Lineage orgId={orgId} runId={runId} />
      <ForkTree orgId={orgId} runId={runId} className="mb-4" />
      {data.truncated && (
        <Alert className="mb-4">
          This run has more than {formatInteger(data.spans.length)} spans; the first {formatInteger(data.spans.length)}{" "}
          by start time are shown.
        </Alert>
      )}
      <div className="grid items-start gap-4 xl:grid-cols-[minmax(0,1fr)_400px]">
        {rows.length === 0 ? (
          <div
            className={`flex flex-col items-center justify-center rounded-lg border border-dashed border-zinc-300 bg-white px-6 text-center dark:border-zinc-700 dark:bg-zinc-900/40 ${PANEL_HEIGHT}`}
          >
            <ListTree aria-hidden="true" className="size-6 text-zinc-400" />
            <p className="mt-3 text-sm font-medium text-zinc-700 dark:text-zinc-300">No spans yet</p>
            <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">
              {active ? "They appear here as the run sends them." : "This run recorded no spans."}
            </p>
          </div>
        ) : (
          <SpanWaterfall
            rows={rows}
            t0={t0}
            t1={t1}
            runningEnd={active ? now : t1}
            selectedId={selected ? selectedId : null}
            onSelect={select}
            onToggle={toggle}
            className={PANEL_HEIGHT}
          />
        )}
        <aside
          aria-label={selected ? "Span details" : "Run input and output"}
          className={`overflow-y-auto rounded-lg border border-zinc-200 bg-white shadow-xs xl:sticky xl:top-20 dark:border-zinc-800 dark:bg-zinc-900 ${PANEL_HEIGHT}`}
        >
          {selected ? (
            <SpanPanel
              key={selected.span.id}
              orgId={orgId}
              runId={runId}
              span={selected.span}
              runStart={t0}
              onClose={() => select(null)}
              actions={<Action run={run} span={selected.span} role={role} />}
            />
          ) : (
            <RunPanel run={run} />
          )}
        </aside>
      </div>
    </div>
  );
}

export default function RunDetailPage({ replay }: { replay: RunReplayParts }) {
  const { org } = useCurrentOrg();
  const { runId = "" } = useParams();
  // Keyed by organisation and run: another run starts with a fresh snapshot, stream and selection.
  return <RunDetailView key={`${org.id}:${runId}`} orgId={org.id} runId={runId} role={org.role} replay={replay} />;
}
