import { ArrowLeft, MessagesSquare, RefreshCw } from "lucide-react";
import { useMemo, type ReactNode } from "react";
import { Link, useParams } from "react-router";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { CopyButton } from "../../components/copy-button.tsx";
import { PageLoader } from "../../components/page-loader.tsx";
import { errorMessage, errorStatus } from "../../lib/errors.ts";
import { formatAgo, formatDateTime } from "../../lib/format.ts";
import { LiveBadge } from "../../lib/live/live-badge.tsx";
import { CostValue } from "../../components/cost.tsx";
import { formatInteger, formatMs, formatTokens } from "../../lib/run-format.ts";
import { trpc, type RouterOutputs } from "../../lib/trpc.ts";
import { useClock } from "../../lib/use-clock.ts";
import { useCurrentOrg } from "../session/use-current-org.ts";
import { formatSpan } from "./conversation-format.ts";
import { ConversationRuns } from "./conversation-runs.tsx";
import { SummaryCard } from "./summary-card.tsx";
import { Transcript } from "./transcript.tsx";
import { useConversationsLive } from "./use-conversations-live.ts";

type Detail = RouterOutputs["conversations"]["get"];

function BackLink() {
  return (
    <Link
      to="/conversations"
      className="mb-4 inline-flex items-center gap-1.5 text-sm text-zinc-500 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"
    >
      <ArrowLeft aria-hidden="true" className="size-4" />
      Conversations
    </Link>
  );
}

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd
        className="mt-1 truncate text-sm font-medium text-zinc-900 tabular-nums dark:text-zinc-100"
        data-testid={testId}
      >
        {children}
      </dd>
    </div>
  );
}

function Facts({ detail }: { detail: Detail }) {
  const { conversation: c, runs } = detail;
  const now = useClock(15_000);
  const totals = useMemo(
    () =>
      runs.reduce(
        (sum, r) => ({
          tokens: sum.tokens + r.inputTokens + r.outputTokens,
          cost: sum.cost + r.costUsd,
          unpriced: sum.unpriced + r.unpricedCount,
        }),
        { tokens: 0, cost: 0, unpriced: 0 },
      ),
    [runs],
  );
  const spanMs = Date.parse(c.lastAt) - Date.parse(c.firstAt);
  return (
    <dl className="grid grid-cols-2 gap-x-6 gap-y-4 rounded-lg border border-zinc-200 bg-white px-5 py-4 shadow-xs sm:grid-cols-3 lg:grid-cols-6 dark:border-zinc-800 dark:bg-zinc-900">
      <Fact label="Runs" testId="conversation-run-count">
        {formatInteger(c.runCount)}
      </Fact>
      <Fact label="Errors" testId="conversation-error-count">
        <span className={c.errorCount > 0 ? "text-rose-600 dark:text-rose-400" : undefined}>
          {formatInteger(c.errorCount)}
        </span>
      </Fact>
      <Fact label="Time span">
        <span title={formatSpan(c.firstAt, c.lastAt)}>{spanMs > 0 ? formatMs(spanMs) : "—"}</span>
      </Fact>
      <Fact label="Last activity">
        <time dateTime={c.lastAt} title={formatDateTime(c.lastAt)}>
          {formatAgo(Date.parse(c.lastAt), now)}
        </time>
      </Fact>
      <Fact label="Tokens">
        <span title={`${formatInteger(totals.tokens)} tokens`}>{formatTokens(totals.tokens)}</span>
      </Fact>
      <Fact label="Cost">
        <CostValue costUsd={totals.cost} unpricedCount={totals.unpriced} />
      </Fact>
    </dl>
  );
}

function NotFound({ id }: { id: string }) {
  return (
    <div className="flex flex-col items-center rounded-xl border border-dashed border-zinc-300 bg-white px-6 py-14 text-center dark:border-zinc-800 dark:bg-zinc-900/40">
      <MessagesSquare aria-hidden="true" className="size-8 text-zinc-400" />
      <h1 className="mt-4 text-base font-semibold text-zinc-900 dark:text-zinc-100">Conversation not found</h1>
      <p className="mt-1 max-w-md text-sm text-zinc-600 dark:text-zinc-400">
        No run of this organisation carries the conversation id{" "}
        <code className="font-mono text-[13px] break-all">{id}</code>.
      </p>
      <Link
        to="/conversations"
        className="mt-6 text-sm font-medium text-indigo-600 hover:text-indigo-500 dark:text-indigo-400"
      >
        Back to conversations
      </Link>
    </div>
  );
}

export default function ConversationDetailPage() {
  const { conversationId = "" } = useParams();
  const { org } = useCurrentOrg();
  const detail = trpc.conversations.get.useQuery({ orgId: org.id, conversationId }, { enabled: conversationId !== "" });
  const connection = useConversationsLive(org.id, conversationId);

  if (!detail.data) {
    if (detail.isError && errorStatus(detail.error) === 404) {
      return (
        <>
          <BackLink />
          <NotFound id={conversationId} />
        </>
      );
    }
    return (
      <>
        <BackLink />
        {detail.isError ? (
          <div className="space-y-3">
            <Alert>Could not load this conversation: {errorMessage(detail.error)}</Alert>
            <Button onClick={() => void detail.refetch()}>
              <RefreshCw aria-hidden="true" className="size-4" />
              Try again
            </Button>
          </div>
        ) : (
          <PageLoader />
        )}
      </>
    );
  }

  const { conversation, runs, transcript } = detail.data;
  return (
    <div data-testid="conversation-detail" data-conversation-id={conversation.id}>
      <BackLink />
      <header className="mb-6 flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="text-xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">Conversation</h1>
          <p className="mt-1 flex min-w-0 flex-wrap items-center gap-x-1 text-sm text-zinc-600 dark:text-zinc-400">
            <span className="flex min-w-0 items-center gap-1">
              <span className="font-mono text-[13px] break-all" data-testid="conversation-id">
                {conversation.id}
              </span>
              <CopyButton text={conversation.id} label="Copy conversation id" />
            </span>
            <span aria-hidden="true" className="mx-1 hidden text-zinc-300 sm:inline dark:text-zinc-700">
              ·
            </span>
            <span>{formatSpan(conversation.firstAt, conversation.lastAt)}</span>
          </p>
        </div>
        <LiveBadge connection={connection} testId="conversation-live" />
      </header>

      <Facts detail={detail.data} />

      <div className="mt-6 grid items-start gap-6 lg:grid-cols-3">
        <div className="min-w-0 space-y-6 lg:col-span-2">
          <SummaryCard conversation={conversation} />
          <section aria-labelledby="transcript-title">
            <h2
              id="transcript-title"
              className="mb-3 flex items-baseline gap-2 text-sm font-semibold text-zinc-900 dark:text-zinc-100"
            >
              Transcript
              <span className="font-normal text-zinc-500 dark:text-zinc-400">
                {transcript.length} {transcript.length === 1 ? "message" : "messages"}
              </span>
            </h2>
            <Transcript messages={transcript} runs={runs} />
          </section>
        </div>
        <aside className="min-w-0 lg:sticky lg:top-6">
          <ConversationRuns runs={runs} />
        </aside>
      </div>
    </div>
  );
}
