import { ArrowLeft, MessagesSquare, Workflow } from "lucide-react";
import { memo, type ReactNode } from "react";
import { Link } from "react-router";
import type { RunData } from "./types.ts";
import { Ago } from "../../../components/ago.tsx";
import { CopyButton } from "../../../components/copy-button.tsx";
import { ErrorCallout } from "../../../components/error-callout.tsx";
import { RunStatusBadge } from "../../../components/run-status-badge.tsx";
import { formatDateTime } from "../../../lib/format.ts";
import { LiveBadge } from "../../../lib/live/live-badge.tsx";
import type { LiveConnection } from "../../../lib/live/live-connection.ts";
import { CostValue, UnpricedHint } from "../../../components/cost.tsx";
import { formatInteger, formatTokens } from "../../../lib/run-format.ts";
import { LiveDuration, TagChips } from "../run-cells.tsx";

function Stat({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="min-w-0 px-4 py-3 first:pl-5" data-testid={testId}>
      <dt className="text-xs font-medium text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="mt-1 truncate text-lg font-semibold tracking-tight text-zinc-900 tabular-nums dark:text-zinc-50">
        {children}
      </dd>
    </div>
  );
}

interface RunHeaderProps {
  run: RunData;
  spanCount: number;
  errorCount: number;
  connection: LiveConnection;
  /** The list to go back to, with its filters. */
  backTo: string;
  /** Actions beside the live badge (Test fix). */
  actions?: ReactNode;
}

export const RunHeader = memo(function RunHeader({
  run,
  spanCount,
  errorCount,
  connection,
  backTo,
  actions,
}: RunHeaderProps) {
  const version = run.workflowVersionId?.split("@")[1];
  return (
    <header className="mb-5" data-testid="run-header" data-status={run.status}>
      <Link
        to={backTo}
        className="mb-3 inline-flex items-center gap-1 text-sm text-zinc-500 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"
      >
        <ArrowLeft aria-hidden="true" className="size-4" />
        Runs
      </Link>
      <div>
        <div className="min-w-0">
          {/* Wraps on a phone: the actions move under the title rather than squeezing it. */}
          <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
            <h1
              className="max-w-full min-w-0 text-xl font-semibold tracking-tight wrap-anywhere text-zinc-900 sm:truncate dark:text-zinc-50"
              data-testid="run-name"
            >
              {run.name}
            </h1>
            <span data-testid="run-status" className="shrink-0">
              <RunStatusBadge status={run.status} size="md" />
            </span>
            <span className="ml-auto flex shrink-0 flex-wrap items-center justify-end gap-3">
              <LiveBadge connection={connection} testId="run-live" />
              {actions}
            </span>
          </div>
          <div className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-1.5 text-sm text-zinc-500 dark:text-zinc-400">
            <span className="inline-flex max-w-full min-w-0 items-center gap-0.5 font-mono text-xs break-all">
              {run.id}
              <CopyButton text={run.id} label="Copy run id" />
              <CopyButton
                text={() => `${window.location.origin}/runs/${encodeURIComponent(run.id)}`}
                label="Copy link to run"
              />
            </span>
            {run.workflow && (
              <span className="inline-flex items-center gap-1.5" title={run.workflowVersionId ?? undefined}>
                <Workflow aria-hidden="true" className="size-3.5" />
                <span className="text-zinc-700 dark:text-zinc-300">{run.workflow}</span>
                {version && (
                  <code className="font-mono text-xs text-zinc-500 dark:text-zinc-400">@{version.slice(0, 10)}</code>
                )}
              </span>
            )}
            {run.conversationId && (
              <Link
                to={`/conversations/${encodeURIComponent(run.conversationId)}`}
                className="inline-flex items-center gap-1.5 text-indigo-600 hover:text-indigo-500 dark:text-indigo-400"
                data-testid="conversation-link"
              >
                <MessagesSquare aria-hidden="true" className="size-3.5" />
                Conversation
              </Link>
            )}
            <span>
              Started <Ago iso={run.startedAt} />
              <span className="hidden text-zinc-500 sm:inline dark:text-zinc-400">
                {" "}
                · {formatDateTime(run.startedAt)}
              </span>
            </span>
            {run.tags.length > 0 && <TagChips tags={run.tags} max={6} />}
          </div>
        </div>
      </div>
      <dl className="mt-4 grid grid-cols-2 divide-zinc-200 rounded-lg border border-zinc-200 bg-white shadow-xs sm:grid-cols-5 sm:divide-x dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900">
        <Stat label="Duration" testId="run-duration">
          <span className={run.status === "running" ? "text-sky-700 dark:text-sky-300" : undefined}>
            <LiveDuration startedAt={run.startedAt} endedAt={run.endedAt} durationMs={run.durationMs} />
          </span>
        </Stat>
        <Stat label="Tokens in / out">
          <span title={`${formatInteger(run.inputTokens)} input · ${formatInteger(run.outputTokens)} output`}>
            {formatTokens(run.inputTokens)}
            <span className="text-zinc-500 dark:text-zinc-400"> / </span>
            {formatTokens(run.outputTokens)}
          </span>
        </Stat>
        <Stat label="Cost" testId="run-cost">
          <CostValue costUsd={run.costUsd} unpricedCount={run.unpricedCount} />
        </Stat>
        <Stat label="Spans" testId="run-span-count">
          {formatInteger(spanCount)}
        </Stat>
        <Stat label="Errors" testId="run-error-count">
          <span className={errorCount > 0 ? "text-rose-600 dark:text-rose-400" : undefined}>
            {formatInteger(errorCount)}
          </span>
        </Stat>
      </dl>
      <UnpricedHint count={run.unpricedCount} className="mt-2" />
      {run.error && (
        <div className="mt-4">
          <ErrorCallout message={run.error} testId="run-error" />
        </div>
      )}
    </header>
  );
});
