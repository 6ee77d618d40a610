import { clsx } from "clsx";
import { ChevronRight, MousePointerClick, X } from "lucide-react";
import { skipToken } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";
import type { SpanSummary } from "@shared/schemas/runs.ts";
import type { RunData } from "./types.ts";
import { Link } from "react-router";
import { CopyButton } from "../../../components/copy-button.tsx";
import { UNPRICED_CLASS, modelPricesPath } from "../../../components/cost.tsx";
import { ErrorCallout } from "../../../components/error-callout.tsx";
import { isEmptyJson } from "../../../components/json-viewer/json-tree.ts";
import { JsonViewer } from "../../../components/json-viewer/json-viewer.tsx";
import { RunStatusBadge } from "../../../components/run-status-badge.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { formatDateTime } from "../../../lib/format.ts";
import {
  elapsedMs,
  formatCost,
  formatCostExact,
  formatInteger,
  formatMs,
  formatTokens,
} from "../../../lib/run-format.ts";
import { trpc } from "../../../lib/trpc.ts";
import { useClock } from "../../../lib/use-clock.ts";
import { ChatMessages, chatMessagesOf, replyOf } from "./chat-messages.tsx";
import { KIND_STYLES } from "../../../components/span-kind.ts";

/** A collapsible block of the side panel: Input, Output, Config, Attributes. */
function Section({
  title,
  meta,
  defaultOpen = true,
  children,
  testId,
}: {
  title: string;
  meta?: ReactNode;
  defaultOpen?: boolean;
  children: ReactNode;
  testId?: string;
}) {
  const [open, setOpen] = useState(defaultOpen);
  return (
    <section className="border-t border-zinc-200 dark:border-zinc-800" data-testid={testId}>
      <button
        type="button"
        onClick={() => setOpen((o) => !o)}
        aria-expanded={open}
        className="flex w-full items-center gap-1.5 px-4 py-2.5 text-left text-xs font-semibold tracking-wide text-zinc-700 uppercase hover:bg-zinc-50 dark:text-zinc-300 dark:hover:bg-zinc-800/50"
      >
        <ChevronRight
          aria-hidden="true"
          className={clsx("size-3.5 text-zinc-400 transition-transform", open && "rotate-90")}
        />
        {title}
        {meta && (
          <span className="ml-auto font-normal tracking-normal text-zinc-500 normal-case dark:text-zinc-400">
            {meta}
          </span>
        )}
      </button>
      {open && <div className="px-4 pb-4">{children}</div>}
    </section>
  );
}

function Payload({ value, label, testId }: { value: unknown; label: string; testId: string }) {
  if (isEmptyJson(value)) return <p className="text-xs text-zinc-500 italic dark:text-zinc-400">Nothing recorded.</p>;
  return <JsonViewer value={value} label={label} testId={testId} />;
}

function sizeMeta(value: unknown): string | null {
  if (Array.isArray(value)) return `${value.length} ${value.length === 1 ? "item" : "items"}`;
  if (value && typeof value === "object") {
    const n = Object.keys(value).length;
    return n === 0 ? null : `${n} ${n === 1 ? "key" : "keys"}`;
  }
  if (typeof value === "string") return `${value.length.toLocaleString()} chars`;
  return null;
}

function Fact({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div className={clsx("min-w-0", className)}>
      <dt className="text-[11px] font-medium text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="mt-0.5 truncate text-[13px] text-zinc-900 tabular-nums dark:text-zinc-100">{children}</dd>
    </div>
  );
}

function PanelHeader({ children, onClose }: { children: ReactNode; onClose?: () => void }) {
  return (
    <div className="sticky top-0 z-10 flex items-start gap-2 border-b border-zinc-200 bg-white/95 px-4 py-3 backdrop-blur dark:border-zinc-800 dark:bg-zinc-900/95">
      <div className="min-w-0 flex-1">{children}</div>
      {onClose && (
        <button
          type="button"
          onClick={onClose}
          aria-label="Close span details"
          title="Close (Esc)"
          className="rounded-md p-1 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700 dark:hover:bg-zinc-800 dark:hover:text-zinc-200"
        >
          <X aria-hidden="true" className="size-4" />
        </button>
      )}
    </div>
  );
}

function SectionsSkeleton() {
  return (
    <div className="animate-pulse space-y-3 border-t border-zinc-200 p-4 dark:border-zinc-800" aria-label="Loading">
      <div className="h-3 w-20 rounded bg-zinc-200 dark:bg-zinc-800" />
      <div className="h-24 rounded-md bg-zinc-100 dark:bg-zinc-800/60" />
      <div className="h-3 w-24 rounded bg-zinc-200 dark:bg-zinc-800" />
      <div className="h-16 rounded-md bg-zinc-100 dark:bg-zinc-800/60" />
    </div>
  );
}

interface SpanPanelProps {
  orgId: string;
  runId: string;
  span: SpanSummary;
  /** The run's start (epoch ms): span times read as offsets from it. */
  runStart: number;
  onClose: () => void;
  /** Actions on the span (Test fix, playground). */
  actions?: ReactNode;
}

/** The selected span: what it is, how long it took and what it cost, its error, then its payloads. */
export function SpanPanel({ orgId, runId, span, runStart, onClose, actions }: SpanPanelProps) {
  // Payloads load once the selection settles, so walking the tree with the arrow keys does not fire a request per row.
  const [settled, setSettled] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(true), 120);
    return () => clearTimeout(timer);
  }, []);
  const detail = trpc.runs.span.useQuery(settled ? { orgId, runId, spanId: span.id } : skipToken, {
    staleTime: 30_000,
  });
  const kind = KIND_STYLES[span.kind] ?? KIND_STYLES.custom;
  const Icon = kind.icon;
  const running = span.endedAt === null;
  const now = useClock(1000, running);
  const start = Date.parse(span.startedAt);
  const d = detail.data?.id === span.id ? detail.data : undefined;
  const messages = d ? chatMessagesOf(d.input) : null;
  const reply = d && messages ? replyOf(d.output) : null;
  const error = d?.error ?? span.error;
  const hasTokens = span.inputTokens !== null || span.outputTokens !== null;
  // A model call whose cost is unknown (no price for its model), as opposed to a span that costs nothing.
  const unpriced = Boolean(span.model) && hasTokens && span.costUsd === null;

  return (
    <div data-testid="span-panel" data-span-id={span.id}>
      <PanelHeader onClose={onClose}>
        <div className="flex items-center gap-2">
          <span
            className={clsx(
              "inline-flex items-center gap-1 rounded-md px-1.5 py-0.5 text-[11px] font-medium ring-1 ring-inset",
              kind.pill,
            )}
          >
            <Icon aria-hidden="true" className="size-3" />
            {kind.label}
          </span>
          <RunStatusBadge status={span.status} />
        </div>
        <h2
          className="mt-1.5 truncate text-[15px] font-semibold text-zinc-900 dark:text-zinc-50"
          title={span.name}
          data-testid="span-panel-name"
        >
          {span.name}
        </h2>
        <p className="mt-0.5 flex items-center gap-1 font-mono text-[11px] text-zinc-500 dark:text-zinc-400">
          <span className="truncate">{span.id}</span>
          <CopyButton text={span.id} label="Copy span id" className="p-0.5" />
          <CopyButton
            text={() =>
              `${window.location.origin}/runs/${encodeURIComponent(runId)}?span=${encodeURIComponent(span.id)}`
            }
            label="Copy link to span"
            className="p-0.5"
          />
        </p>
        {actions && <div className="mt-2.5 flex flex-wrap gap-2">{actions}</div>}
      </PanelHeader>
      <dl className="grid grid-cols-3 gap-x-4 gap-y-3 px-4 py-3">
        <Fact label="Duration">
          <span className={clsx(running && "text-sky-700 dark:text-sky-300")}>
            {formatMs(elapsedMs(span.startedAt, span.endedAt, now))}
          </span>
        </Fact>
        <Fact label="Started">
          <span title={formatDateTime(span.startedAt)}>+{formatMs(start - runStart)}</span>
        </Fact>
        <Fact label="Ended">{span.endedAt ? `+${formatMs(Date.parse(span.endedAt) - runStart)}` : "—"}</Fact>
        {hasTokens && (
          <Fact label="Tokens in / out">
            <span
              title={`${formatInteger(span.inputTokens ?? 0)} input · ${formatInteger(span.outputTokens ?? 0)} output`}
            >
              {formatTokens(span.inputTokens)} / {formatTokens(span.outputTokens)}
            </span>
          </Fact>
        )}
        {span.costUsd !== null ? (
          <Fact label="Cost">
            <span title={formatCostExact(span.costUsd)}>{formatCost(span.costUsd)}</span>
          </Fact>
        ) : (
          unpriced && (
            <Fact label="Cost">
              <Link
                to={modelPricesPath(span.model)}
                className={clsx(
                  UNPRICED_CLASS,
                  "underline decoration-dotted underline-offset-2 hover:decoration-solid",
                )}
                title={`No price is known for ${span.model}. Add it in Settings → Models.`}
                data-testid="span-cost-unknown"
              >
                No price known
              </Link>
            </Fact>
          )
        )}
        {span.model && (
          <Fact
            label="Model"
            className={hasTokens && (span.costUsd !== null || unpriced) ? "col-span-3" : "col-span-2"}
          >
            <span title={span.model}>{span.model}</span>
          </Fact>
        )}
      </dl>
      {error && (
        <div className="px-4 pb-3">
          <ErrorCallout message={error} testId="span-error" />
        </div>
      )}
      {detail.isError && !d ? (
        <p role="alert" className="border-t border-zinc-200 px-4 py-3 text-sm text-rose-600 dark:border-zinc-800">
          Could not load this span: {errorMessage(detail.error)}
        </p>
      ) : !d ? (
        <SectionsSkeleton />
      ) : (
        <>
          {messages && (
            <Section title="Conversation" meta={`${messages.length} ${messages.length === 1 ? "message" : "messages"}`}>
              <ChatMessages messages={messages} reply={reply} />
            </Section>
          )}
          <Section title="Input" meta={sizeMeta(d.input)} testId="span-input">
            <Payload value={d.input} label="Input" testId="span-input-json" />
          </Section>
          <Section title="Output" meta={sizeMeta(d.output)} testId="span-output">
            {running && isEmptyJson(d.output) ? (
              <p className="text-xs text-zinc-500 italic dark:text-zinc-400">Still running…</p>
            ) : (
              <Payload value={d.output} label="Output" testId="span-output-json" />
            )}
          </Section>
          <Section title="Config" meta={sizeMeta(d.config)} defaultOpen={!isEmptyJson(d.config)}>
            <Payload value={d.config} label="Config" testId="span-config-json" />
          </Section>
          <Section title="Attributes" meta={sizeMeta(d.attributes)} defaultOpen={false}>
            <Payload value={d.attributes} label="Attributes" testId="span-attributes-json" />
          </Section>
        </>
      )}
    </div>
  );
}

/** With no span selected: the run's own input, output and metadata. */
export function RunPanel({ run }: { run: RunData }) {
  return (
    <div data-testid="run-panel">
      <PanelHeader>
        <h2 className="text-[15px] font-semibold text-zinc-900 dark:text-zinc-50">Run input &amp; output</h2>
        <p className="mt-0.5 flex items-center gap-1.5 text-xs text-zinc-500 dark:text-zinc-400">
          <MousePointerClick aria-hidden="true" className="size-3.5" />
          Select a span to see its own input, output and timing.
        </p>
      </PanelHeader>
      <Section title="Input" meta={sizeMeta(run.input)} testId="run-input">
        <Payload value={run.input} label="Input" testId="run-input-json" />
      </Section>
      <Section title="Output" meta={sizeMeta(run.output)} testId="run-output">
        {run.status === "running" && isEmptyJson(run.output) ? (
          <p className="text-xs text-zinc-500 italic dark:text-zinc-400">Still running…</p>
        ) : (
          <Payload value={run.output} label="Output" testId="run-output-json" />
        )}
      </Section>
      <Section title="Metadata" meta={sizeMeta(run.metadata)} defaultOpen={!isEmptyJson(run.metadata)}>
        <Payload value={run.metadata} label="Metadata" testId="run-metadata-json" />
      </Section>
    </div>
  );
}
