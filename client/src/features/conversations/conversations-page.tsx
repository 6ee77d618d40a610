import { keepPreviousData } from "@tanstack/react-query";
import { clsx } from "clsx";
import { ChevronRight, LoaderCircle, Search, SearchX, X } from "lucide-react";
import { useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import type { ConversationSummary } from "@shared/schemas/runs.ts";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { formatAgo, formatDateTime } from "../../lib/format.ts";
import { LiveBadge } from "../../lib/live/live-badge.tsx";
import { formatInteger } from "../../lib/run-format.ts";
import { trpc } from "../../lib/trpc.ts";
import { useClock } from "../../lib/use-clock.ts";
import { useCurrentOrg } from "../session/use-current-org.ts";
import { summaryPreview } from "./conversation-format.ts";
import { ConversationsEmpty } from "./conversations-empty.tsx";
import { SummaryPending } from "./summary-pending.tsx";
import { useConversationsLive } from "./use-conversations-live.ts";

const PAGE_SIZE = 25;
const SEARCH_DEBOUNCE_MS = 300;
/** Columns of the list, shared by its header and its rows. */
const GRID = "grid grid-cols-[minmax(0,1fr)_auto] gap-x-6 sm:grid-cols-[minmax(0,1fr)_4.5rem_4.5rem_7.5rem_1rem]";

/** The search box: typed text goes to the URL (`?q=`) once typing pauses, so a search can be shared. */
function SearchBox({ value, onSearch }: { value: string; onSearch: (q: string) => void }) {
  // What is typed but not in the URL yet; null when the box shows the URL's query.
  const [draft, setDraft] = useState<string | null>(null);
  useEffect(() => {
    if (draft === null) return;
    const timer = setTimeout(() => {
      onSearch(draft);
      setDraft(null);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [draft, onSearch]);

  const shown = draft ?? value;
  return (
    <div className="relative w-full sm:w-80">
      <Search
        aria-hidden="true"
        className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-zinc-400"
      />
      <input
        type="search"
        value={shown}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            onSearch(shown);
            setDraft(null);
          }
        }}
        placeholder="Search by id or summary"
        aria-label="Search conversations"
        data-testid="conversation-search"
        className="block h-9 w-full rounded-md border-0 bg-white py-1.5 pr-8 pl-8 text-sm text-zinc-900 shadow-xs ring-1 ring-zinc-300 ring-inset placeholder:text-zinc-400 focus:ring-2 focus:ring-indigo-600 focus:outline-none dark:bg-zinc-900 dark:text-zinc-100 dark:ring-zinc-700 dark:placeholder:text-zinc-500 dark:focus:ring-indigo-500 [&::-webkit-search-cancel-button]:hidden"
      />
      {shown && (
        <button
          type="button"
          onClick={() => {
            onSearch("");
            setDraft(null);
          }}
          aria-label="Clear search"
          className="absolute top-1/2 right-1.5 -translate-y-1/2 rounded p-1 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700 dark:hover:bg-zinc-800 dark:hover:text-zinc-200"
        >
          <X aria-hidden="true" className="size-3.5" />
        </button>
      )}
    </div>
  );
}

function ConversationRow({ conversation: c, now }: { conversation: ConversationSummary; now: number }) {
  const preview = c.summary ? summaryPreview(c.summary) : null;
  return (
    <li data-testid="conversation-row" data-conversation-id={c.id}>
      <Link
        to={`/conversations/${encodeURIComponent(c.id)}`}
        className={clsx(
          GRID,
          "items-center px-4 py-3 transition-colors hover:bg-zinc-50 focus-visible:bg-zinc-50 dark:hover:bg-zinc-800/50 dark:focus-visible:bg-zinc-800/50",
        )}
      >
        <span className="min-w-0">
          <span className="block truncate font-mono text-[13px] font-medium text-zinc-900 dark:text-zinc-100">
            {c.id}
          </span>
          <span
            className="mt-0.5 block truncate text-sm text-zinc-600 dark:text-zinc-400"
            title={c.summary ?? undefined}
          >
            {preview ?? <SummaryPending />}
          </span>
        </span>
        <span className="hidden text-right text-sm text-zinc-700 tabular-nums sm:block dark:text-zinc-300">
          {formatInteger(c.runCount)}
        </span>
        <span className="hidden text-right text-sm tabular-nums sm:block">
          {c.errorCount > 0 ? (
            <span className="inline-flex items-center rounded-full bg-rose-50 px-2 py-0.5 text-xs font-medium text-rose-700 ring-1 ring-rose-600/20 ring-inset dark:bg-rose-500/10 dark:text-rose-400 dark:ring-rose-400/20">
              {formatInteger(c.errorCount)}
            </span>
          ) : (
            <span className="text-zinc-500 dark:text-zinc-400">0</span>
          )}
        </span>
        <span className="text-right text-xs text-zinc-500 sm:text-sm dark:text-zinc-400">
          <time dateTime={c.lastAt} title={formatDateTime(c.lastAt)} className="whitespace-nowrap tabular-nums">
            {formatAgo(Date.parse(c.lastAt), now)}
          </time>
          <span className="block whitespace-nowrap sm:hidden">
            {c.runCount} {c.runCount === 1 ? "run" : "runs"}
            {c.errorCount > 0 && <span className="text-rose-600 dark:text-rose-400"> · {c.errorCount} failed</span>}
          </span>
        </span>
        <ChevronRight aria-hidden="true" className="hidden size-4 text-zinc-300 sm:block dark:text-zinc-600" />
      </Link>
    </li>
  );
}

function ListSkeleton() {
  return (
    <div
      role="status"
      aria-label="Loading conversations"
      className="animate-pulse divide-y divide-zinc-100 overflow-hidden rounded-lg border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900"
    >
      {Array.from({ length: 6 }, (_, i) => (
        <div key={i} className="space-y-2 px-4 py-3.5">
          <div className="h-3.5 w-48 rounded bg-zinc-200 dark:bg-zinc-800" />
          <div className="h-3.5 w-2/3 rounded bg-zinc-100 dark:bg-zinc-800/60" />
        </div>
      ))}
    </div>
  );
}

export default function ConversationsPage() {
  const { org } = useCurrentOrg();
  const orgId = org.id;
  const [params, setParams] = useSearchParams();
  const rawQ = params.get("q")?.slice(0, 200) ?? "";
  const q = rawQ.trim();
  const connection = useConversationsLive(orgId);
  const now = useClock(15_000);

  const list = trpc.conversations.list.useInfiniteQuery(
    { orgId, limit: PAGE_SIZE, q: q || undefined },
    { getNextPageParam: (page) => page.nextCursor ?? undefined, placeholderData: keepPreviousData },
  );
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);

  const onSearch = useMemo(
    () => (next: string) =>
      setParams(
        (prev) => {
          const updated = new URLSearchParams(prev);
          if (next.trim()) updated.set("q", next);
          else updated.delete("q");
          return updated;
        },
        { replace: true },
      ),
    [setParams],
  );

  const noneAtAll = !q && list.data !== undefined && !list.isPlaceholderData && items.length === 0;

  return (
    <>
      <PageHeader
        title="Conversations"
        description="Multi-turn runs read as transcripts, turn by turn."
        actions={<LiveBadge connection={connection} testId="conversations-live" />}
      />
      {noneAtAll ? (
        <ConversationsEmpty />
      ) : (
        <>
          <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
            <SearchBox value={rawQ} onSearch={onSearch} />
            {list.isFetching && !list.isFetchingNextPage && (
              <LoaderCircle aria-label="Updating" className="size-4 animate-spin text-zinc-400" />
            )}
          </div>
          {list.isError && !list.data ? (
            <Alert>Could not load conversations: {errorMessage(list.error)}</Alert>
          ) : !list.data ? (
            <ListSkeleton />
          ) : items.length === 0 ? (
            <div className="flex flex-col items-center rounded-lg border border-dashed border-zinc-300 px-6 py-12 text-center dark:border-zinc-700">
              <SearchX aria-hidden="true" className="size-6 text-zinc-400" />
              <p className="mt-3 text-sm font-medium text-zinc-900 dark:text-zinc-100">No conversation matches “{q}”</p>
              <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">
                Search looks at conversation ids and summaries.
              </p>
              <Button className="mt-4" onClick={() => onSearch("")}>
                Clear search
              </Button>
            </div>
          ) : (
            <div
              className={clsx(
                "overflow-hidden rounded-lg border border-zinc-200 bg-white shadow-xs transition-opacity dark:border-zinc-800 dark:bg-zinc-900",
                list.isPlaceholderData && "opacity-60",
              )}
            >
              <div
                aria-hidden="true"
                className={clsx(
                  GRID,
                  "border-b border-zinc-200 bg-zinc-50/80 px-4 py-2.5 text-xs font-medium text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-400",
                )}
              >
                <span>Conversation</span>
                <span className="hidden text-right sm:block">Runs</span>
                <span className="hidden text-right sm:block">Errors</span>
                <span className="text-right">Last activity</span>
                <span className="hidden sm:block" />
              </div>
              <ul className="divide-y divide-zinc-100 dark:divide-zinc-800" data-testid="conversation-list">
                {items.map((c) => (
                  <ConversationRow key={c.id} conversation={c} now={now} />
                ))}
              </ul>
            </div>
          )}
          {list.hasNextPage && (
            <div className="mt-4 flex justify-center">
              <Button
                onClick={() => void list.fetchNextPage()}
                pending={list.isFetchingNextPage}
                data-testid="load-more"
              >
                Load more
              </Button>
            </div>
          )}
          {list.isError && list.data && (
            <Alert className="mt-4">Could not load more conversations: {errorMessage(list.error)}</Alert>
          )}
        </>
      )}
    </>
  );
}
