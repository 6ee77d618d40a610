import { keepPreviousData } from "@tanstack/react-query";
import { Activity, ArrowUp, RefreshCw, SearchX } from "lucide-react";
import { useCallback, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { EmptyState } from "../../components/empty-state.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { SetupSteps } from "../../components/setup-steps.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { LiveBadge } from "../../lib/live/live-badge.tsx";
import { formatInteger } from "../../lib/run-format.ts";
import { trpc } from "../../lib/trpc.ts";
import { useCurrentOrg } from "../session/use-current-org.ts";
import type { RunSort } from "@shared/schemas/runs.ts";
import {
  FILTER_KEYS,
  hasFilters,
  isDefaultOrder,
  parseFilters,
  parseOrder,
  toQueryFilters,
  type UrlFilters,
  withFilters,
  withOrder,
} from "./filters.ts";
import { mergeRuns } from "./merge-runs.ts";
import { RunsFilterBar } from "./runs-filter-bar.tsx";
import { RunsTable, RunsTableSkeleton } from "./runs-table.tsx";
import { RunsToolbar } from "./runs-toolbar.tsx";
import { useLiveRuns } from "./use-live-runs.ts";
import "./runs.css";

const PAGE_SIZE = 50;

/** The refresh banner's words: runs that may match (text filter) and runs held back by a sort order. */
function pendingLabel(pending: number, held: number): string {
  const parts: string[] = [];
  if (held > 0) parts.push(held === 1 ? "1 new run" : `${formatInteger(held)} new runs`);
  if (pending > 0) parts.push(pending === 1 ? "1 new run may match" : `${formatInteger(pending)} new runs may match`);
  return parts.join(", ");
}

function RunsView({ orgId }: { orgId: string }) {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => parseFilters(params), [params]);
  const order = useMemo(() => parseOrder(params), [params]);
  // Relative ranges ("last hour") count back from here; moved forward whenever the user changes or refreshes the view.
  const [anchor, setAnchor] = useState(() => Date.now());
  const queryFilters = useMemo(() => toQueryFilters(filters, anchor), [filters, anchor]);

  const list = trpc.runs.list.useInfiniteQuery(
    { orgId, ...queryFilters, ...order, limit: PAGE_SIZE },
    { getNextPageParam: (page) => page.nextCursor ?? undefined, placeholderData: keepPreviousData },
  );
  const facets = trpc.runs.facets.useQuery({ orgId }, { staleTime: 60_000 });

  // The live stream starts from the snapshot of the first page rendered and then runs for the life of the page:
  // later pages and other filters are merged with what it has delivered since.
  const firstEventId = list.data?.pages[0]?.eventId ?? null;
  const [startId, setStartId] = useState<string | null>(null);
  if (startId === null && firstEventId !== null) setStartId(firstEventId);

  const { refetch } = list;
  const relative = filters.range !== null && filters.range !== "custom";
  const refresh = useCallback(() => {
    if (relative) setAnchor(Date.now());
    else void refetch();
  }, [relative, refetch]);
  const live = useLiveRuns(orgId, startId, refresh);

  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const merged = useMemo(
    () =>
      mergeRuns(items, live.overlay, queryFilters, {
        hasMore: list.hasNextPage,
        fetchedAt: list.dataUpdatedAt,
        placeLive: isDefaultOrder(order),
      }),
    [items, live.overlay, queryFilters, list.hasNextPage, list.dataUpdatedAt, order],
  );

  // Selected runs, in the order they were picked (the first is the left side of a comparison).
  const [selected, setSelected] = useState<readonly string[]>([]);
  const selectedSet = useMemo(() => new Set(selected), [selected]);
  const toggle = useCallback(
    (id: string) => setSelected((prev) => (prev.includes(id) ? prev.filter((x) => x !== id) : [...prev, id])),
    [],
  );
  const sortBy = useCallback(
    (column: RunSort) => {
      setAnchor(Date.now());
      setParams((prev) => withOrder(prev, parseOrder(prev), column));
    },
    [setParams],
  );

  const update = useCallback(
    (patch: Partial<UrlFilters>, options?: { replace?: boolean }) => {
      setAnchor(Date.now());
      setParams((prev) => withFilters(prev, patch), { replace: options?.replace });
    },
    [setParams],
  );
  const clear = useCallback(() => {
    setAnchor(Date.now());
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      for (const key of FILTER_KEYS) next.delete(key);
      return next;
    });
  }, [setParams]);
  const pickTag = useCallback((tag: string) => update({ tag }), [update]);

  const filtered = hasFilters(filters);
  const noRunsAtAll = !filtered && list.data !== undefined && !list.isPlaceholderData && merged.rows.length === 0;

  let body;
  if (list.data === undefined) {
    body = list.isError ? (
      <div className="space-y-3">
        <Alert>Could not load runs: {errorMessage(list.error)}</Alert>
        <Button onClick={() => void list.refetch()}>
          <RefreshCw aria-hidden="true" className="size-4" />
          Try again
        </Button>
      </div>
    ) : (
      <RunsTableSkeleton />
    );
  } else if (merged.rows.length === 0) {
    body = (
      <EmptyState
        icon={SearchX}
        title="No runs match these filters"
        description="Try a wider time range or another status, or clear the filters to see every run."
      >
        <Button onClick={clear} data-testid="empty-clear-filters">
          Clear filters
        </Button>
      </EmptyState>
    );
  } else {
    body = (
      <>
        {list.isError && <Alert className="mb-3">Could not refresh the list: {errorMessage(list.error)}</Alert>}
        <RunsToolbar
          orgId={orgId}
          filters={queryFilters}
          order={order}
          selected={selected}
          onClear={() => setSelected([])}
        />
        <RunsTable
          runs={merged.rows}
          liveIds={merged.liveIds}
          dimmed={list.isPlaceholderData}
          onPickTag={pickTag}
          selected={selectedSet}
          onToggle={toggle}
          order={order}
          onSort={sortBy}
        />
        <div className="mt-4 flex flex-col items-center gap-2">
          {list.hasNextPage ? (
            <Button
              onClick={() => void list.fetchNextPage()}
              pending={list.isFetchingNextPage}
              data-testid="runs-load-more"
            >
              Load more
            </Button>
          ) : null}
          <p className="text-xs text-zinc-500 dark:text-zinc-400" data-testid="runs-count">
            {list.hasNextPage
              ? `Showing the ${formatInteger(merged.rows.length)} most recent runs`
              : `${formatInteger(merged.rows.length)} ${merged.rows.length === 1 ? "run" : "runs"}${filtered ? " match" : ""}`}
          </p>
        </div>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Runs"
        description="Every run of your agents, streamed live: spans, inputs, outputs, tokens, cost and errors."
        actions={<LiveBadge connection={live.connection} testId="runs-live" />}
      />
      {noRunsAtAll ? (
        <EmptyState
          icon={Activity}
          title="No runs yet"
          description="Runs appear here live as your agents send them. Create an API key in Settings, set ECHOS_API_KEY and ECHOS_API_URL, and run your agent."
        >
          <SetupSteps />
        </EmptyState>
      ) : (
        <>
          <RunsFilterBar filters={filters} facets={facets.data} onChange={update} onClear={clear} />
          {merged.pending + merged.held > 0 && (
            <div className="sticky top-16 z-[5] mb-3 flex justify-center">
              <button
                type="button"
                onClick={refresh}
                data-testid="runs-pending"
                className="inline-flex items-center gap-1.5 rounded-full bg-indigo-600 px-3 py-1 text-xs font-medium text-white shadow-md transition-colors hover:bg-indigo-500"
              >
                <ArrowUp aria-hidden="true" className="size-3.5" />
                {pendingLabel(merged.pending, merged.held)}
                <span className="text-indigo-200">·</span> Refresh
              </button>
            </div>
          )}
          {body}
        </>
      )}
    </>
  );
}

export default function RunsPage() {
  const { org } = useCurrentOrg();
  // Keyed by organisation: switching starts a new list and a new live stream.
  return <RunsView key={org.id} orgId={org.id} />;
}
