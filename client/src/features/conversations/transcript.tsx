import { clsx } from "clsx";
import { ArrowUpRight, Bot, ChevronRight, Cog, MessageSquareDashed, User, Wrench, type LucideIcon } from "lucide-react";
import { useMemo, useState } from "react";
import { Link } from "react-router";
import type { RunSummary, TranscriptMessage, TranscriptRole } from "@shared/schemas/runs.ts";
import { RunStatusDot } from "../../components/run-status-badge.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { firstLine, formatCost, formatMs } from "../../lib/run-format.ts";
import { formatClock } from "./conversation-format.ts";

/**
 * A conversation's transcript as a chat: the user on the right, the assistant and tools on the left, system
 * prompts folded away. A divider marks where each run starts; every message links to the run that recorded it.
 */

const STYLE: Record<TranscriptRole, { icon: LucideIcon; label: string; bubble: string }> = {
  system: {
    icon: Cog,
    label: "System",
    bubble: "bg-zinc-50 text-zinc-700 ring-zinc-200 dark:bg-zinc-900 dark:text-zinc-300 dark:ring-zinc-800",
  },
  user: {
    icon: User,
    label: "User",
    bubble:
      "bg-indigo-50 text-indigo-950 ring-indigo-200/70 dark:bg-indigo-500/10 dark:text-indigo-50 dark:ring-indigo-400/20",
  },
  assistant: {
    icon: Bot,
    label: "Assistant",
    bubble: "bg-white text-zinc-800 ring-zinc-200 dark:bg-zinc-800/70 dark:text-zinc-100 dark:ring-zinc-700",
  },
  tool: {
    icon: Wrench,
    label: "Tool",
    bubble:
      "bg-amber-50 text-amber-950 ring-amber-200/80 dark:bg-amber-400/10 dark:text-amber-50 dark:ring-amber-400/20",
  },
};

/** Beyond this a message folds, with a button to read it all. */
const LONG_CHARS = 1_200;
const LONG_LINES = 18;

function speaker(message: TranscriptMessage): string {
  if (message.role === "assistant" && message.model) return `Assistant (${message.model})`;
  return STYLE[message.role].label;
}

/** Tool results are often JSON: pretty-printed, they read better. */
function displayText(message: TranscriptMessage): { text: string; mono: boolean } {
  const raw = message.content;
  if (message.role === "tool" || /^\s*[[{]/.test(raw)) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed !== null && typeof parsed === "object") return { text: JSON.stringify(parsed, null, 2), mono: true };
    } catch {
      // Not JSON: shown as written.
    }
  }
  return { text: raw, mono: false };
}

function MessageMeta({ message, align }: { message: TranscriptMessage; align: "start" | "end" }) {
  const Icon = STYLE[message.role].icon;
  return (
    <span
      className={clsx(
        "flex items-center gap-1.5 text-[11px] text-zinc-500 dark:text-zinc-400",
        align === "end" && "flex-row-reverse",
      )}
    >
      <span className="flex items-center gap-1 font-medium text-zinc-600 dark:text-zinc-300" data-testid="speaker">
        <Icon aria-hidden="true" className="size-3" />
        {speaker(message)}
      </span>
      <Link
        to={`/runs/${encodeURIComponent(message.runId)}`}
        title={`${formatDateTime(message.at)} · open the run that recorded this message`}
        className="group inline-flex items-center gap-0.5 rounded tabular-nums hover:text-indigo-600 dark:hover:text-indigo-400"
        data-testid="message-run-link"
      >
        <time dateTime={message.at}>{formatClock(message.at)}</time>
        <ArrowUpRight aria-hidden="true" className="size-3 opacity-60 group-hover:opacity-100" />
      </Link>
    </span>
  );
}

function MessageBody({ message }: { message: TranscriptMessage }) {
  const { text, mono } = useMemo(() => displayText(message), [message]);
  const long = text.length > LONG_CHARS || text.split("\n").length > LONG_LINES;
  const [open, setOpen] = useState(false);
  const folded = long && !open;
  return (
    <>
      <div
        data-testid="message-content"
        className={clsx(
          "break-words whitespace-pre-wrap",
          mono ? "font-mono text-[12px] leading-5" : "text-[13.5px] leading-6",
          folded && "max-h-64 overflow-hidden [mask-image:linear-gradient(to_bottom,black_70%,transparent)]",
        )}
      >
        {text || <span className="italic opacity-60">(empty)</span>}
      </div>
      {long && (
        <button
          type="button"
          onClick={() => setOpen(!open)}
          className="mt-1 text-xs font-medium text-indigo-600 hover:text-indigo-500 dark:text-indigo-400 dark:hover:text-indigo-300"
        >
          {open ? "Show less" : `Show all ${text.split("\n").length} lines`}
        </button>
      )}
    </>
  );
}

function SystemMessage({ message }: { message: TranscriptMessage }) {
  return (
    <li data-testid="transcript-message" data-role="system" className="relative list-none">
      {/* Beside the summary, not inside it: a link within a <summary> is a control inside a control. */}
      <Link
        to={`/runs/${encodeURIComponent(message.runId)}`}
        title={formatDateTime(message.at)}
        className="absolute top-2 right-3 z-10 text-xs text-zinc-500 tabular-nums hover:text-indigo-600 dark:text-zinc-400 dark:hover:text-indigo-400"
        data-testid="message-run-link"
      >
        {formatClock(message.at)}
      </Link>
      <details className="group rounded-lg border border-dashed border-zinc-300 bg-zinc-50/60 dark:border-zinc-700 dark:bg-zinc-900/60">
        <summary className="flex cursor-pointer list-none items-center gap-2 py-2 pr-16 pl-3 text-xs text-zinc-500 select-none dark:text-zinc-400 [&::-webkit-details-marker]:hidden">
          <ChevronRight aria-hidden="true" className="size-3.5 shrink-0 transition-transform group-open:rotate-90" />
          <Cog aria-hidden="true" className="size-3.5 shrink-0" />
          <span className="font-medium text-zinc-600 dark:text-zinc-300" data-testid="speaker">
            System prompt
          </span>
          <span className="min-w-0 flex-1 truncate group-open:invisible">{firstLine(message.content)}</span>
        </summary>
        <div className="border-t border-dashed border-zinc-300 px-3 py-2.5 text-zinc-700 dark:border-zinc-700 dark:text-zinc-300">
          <MessageBody message={message} />
        </div>
      </details>
    </li>
  );
}

function Bubble({ message }: { message: TranscriptMessage }) {
  const style = STYLE[message.role];
  const mine = message.role === "user";
  return (
    <li
      data-testid="transcript-message"
      data-role={message.role}
      className={clsx("flex flex-col gap-1", mine ? "items-end pl-10 sm:pl-20" : "items-start pr-10 sm:pr-20")}
    >
      <MessageMeta message={message} align={mine ? "end" : "start"} />
      <div
        className={clsx(
          "max-w-full min-w-0 rounded-2xl px-3.5 py-2.5 shadow-xs ring-1 ring-inset",
          style.bubble,
          mine ? "rounded-tr-md" : "rounded-tl-md",
        )}
      >
        <MessageBody message={message} />
      </div>
    </li>
  );
}

function RunDivider({
  run,
  runId,
  index,
  total,
  silent,
}: {
  run: RunSummary | undefined;
  runId: string;
  index: number;
  total: number;
  /** The run recorded no LLM message: say so (and why, when it failed) instead of leaving a silent gap. */
  silent?: boolean;
}) {
  return (
    <li className="py-1 text-[11px] text-zinc-500 dark:text-zinc-400" data-testid="run-divider" data-run-id={runId}>
      <div className="flex items-center gap-3">
        <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
        <Link
          to={`/runs/${encodeURIComponent(runId)}`}
          className="inline-flex max-w-[80%] min-w-0 items-center gap-1.5 rounded-full bg-zinc-50 px-2.5 py-0.5 ring-1 ring-zinc-200 transition-colors ring-inset hover:bg-white hover:text-zinc-800 dark:bg-zinc-950 dark:ring-zinc-800 dark:hover:bg-zinc-900 dark:hover:text-zinc-200"
          title={run ? `Open run ${run.name} · ${formatDateTime(run.startedAt)}` : `Open run ${runId}`}
        >
          {run && <RunStatusDot status={run.status} />}
          <span className="shrink-0 font-medium">{index > 0 ? `Run ${index} of ${total}` : "Run"}</span>
          {run && (
            <>
              <span aria-hidden="true" className="hidden sm:inline">
                ·
              </span>
              <span className="hidden min-w-0 truncate sm:inline">{run.name}</span>
              <span aria-hidden="true">·</span>
              <span className="shrink-0 tabular-nums">{formatMs(run.durationMs)}</span>
              {run.costUsd > 0 && (
                <>
                  <span aria-hidden="true">·</span>
                  <span className="shrink-0 tabular-nums">{formatCost(run.costUsd)}</span>
                </>
              )}
            </>
          )}
          <ArrowUpRight aria-hidden="true" className="size-3 shrink-0 opacity-60" />
        </Link>
        <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
      </div>
      {silent && (
        <p
          className={clsx(
            "mt-1.5 truncate text-center",
            run?.status === "error" ? "text-rose-700 dark:text-rose-300" : "italic",
          )}
        >
          {run?.status === "error" && run.error
            ? firstLine(run.error)
            : run?.status === "running"
              ? "Running; no LLM message yet"
              : "No LLM message recorded in this run"}
        </p>
      )}
    </li>
  );
}

type Item =
  | { kind: "run"; key: string; runId: string; run: RunSummary | undefined; index: number; silent: boolean }
  | { kind: "message"; message: TranscriptMessage; key: string };

/**
 * Messages in order with a divider where each run starts. Runs that recorded no message (one that failed before
 * calling the model) get a divider of their own at the place they started, so the story has no silent gaps.
 */
function buildItems(messages: TranscriptMessage[], runs: RunSummary[]): Item[] {
  const index = new Map(runs.map((r, i) => [r.id, { run: r, index: i + 1 }]));
  const spoken = new Set(messages.map((m) => m.runId));
  const silent = runs.filter((r) => !spoken.has(r.id));
  const items: Item[] = [];
  let next = 0;
  const flushSilentBefore = (startedAt: number) => {
    while (next < silent.length && Date.parse(silent[next]!.startedAt) < startedAt) {
      const run = silent[next++]!;
      items.push({
        kind: "run",
        key: `run-${items.length}`,
        runId: run.id,
        run,
        index: index.get(run.id)?.index ?? 0,
        silent: true,
      });
    }
  };
  messages.forEach((message, i) => {
    if (i === 0 || messages[i - 1]!.runId !== message.runId) {
      const entry = index.get(message.runId);
      flushSilentBefore(entry ? Date.parse(entry.run.startedAt) : Date.parse(message.at));
      items.push({
        kind: "run",
        key: `run-${items.length}`,
        runId: message.runId,
        run: entry?.run,
        index: entry?.index ?? 0,
        silent: false,
      });
    }
    items.push({ kind: "message", message, key: `${message.spanId}-${i}` });
  });
  flushSilentBefore(Infinity);
  return items;
}

export function Transcript({ messages, runs }: { messages: TranscriptMessage[]; runs: RunSummary[] }) {
  const items = useMemo(() => buildItems(messages, runs), [messages, runs]);
  if (messages.length === 0) {
    return (
      <div className="flex flex-col items-center rounded-lg border border-dashed border-zinc-300 px-6 py-12 text-center dark:border-zinc-700">
        <MessageSquareDashed aria-hidden="true" className="size-6 text-zinc-400" />
        <p className="mt-3 text-sm font-medium text-zinc-900 dark:text-zinc-100">No messages recorded</p>
        <p className="mt-1 max-w-md text-sm text-zinc-500 dark:text-zinc-400">
          The transcript is read from the runs’ LLM spans (kind <code className="font-mono text-[12px]">llm</code>): the
          messages they were given and what they answered. These runs have none yet.
        </p>
      </div>
    );
  }
  return (
    <ol className="space-y-4" data-testid="transcript">
      {items.map((item) =>
        item.kind === "run" ? (
          <RunDivider
            key={item.key}
            run={item.run}
            runId={item.runId}
            index={item.index}
            total={runs.length}
            silent={item.silent}
          />
        ) : item.message.role === "system" ? (
          <SystemMessage key={item.key} message={item.message} />
        ) : (
          <Bubble key={item.key} message={item.message} />
        ),
      )}
    </ol>
  );
}
