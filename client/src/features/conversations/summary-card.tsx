import { clsx } from "clsx";
import { FileText, RefreshCw, Sparkles } from "lucide-react";
import type { ConversationSummary } from "@shared/schemas/runs.ts";
import { hasRole } from "@shared/roles.ts";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { errorMessage, errorStatus } from "../../lib/errors.ts";
import { formatAgo, formatDateTime } from "../../lib/format.ts";
import { trpc } from "../../lib/trpc.ts";
import { useClock } from "../../lib/use-clock.ts";
import { useCurrentOrg } from "../session/use-current-org.ts";
import { SummaryPending } from "./summary-pending.tsx";

const SOURCE = {
  llm: {
    label: "AI summary",
    icon: Sparkles,
    title: "Written by the organisation’s default LLM credential",
    className:
      "bg-violet-50 text-violet-700 ring-violet-600/20 dark:bg-violet-500/10 dark:text-violet-300 dark:ring-violet-400/25",
  },
  extractive: {
    label: "Extracted",
    icon: FileText,
    title: "Key sentences picked from the transcript (no LLM credential is set, or the provider failed)",
    className:
      "bg-zinc-100 text-zinc-700 ring-zinc-500/20 dark:bg-zinc-400/10 dark:text-zinc-300 dark:ring-zinc-400/20",
  },
} as const;

function SourceBadge({ source }: { source: "llm" | "extractive" }) {
  const { label, icon: Icon, title, className } = SOURCE[source];
  return (
    <span
      title={title}
      data-testid="summary-source"
      data-source={source}
      className={clsx(
        "inline-flex items-center gap-1 rounded-md px-1.5 py-0.5 text-[11px] font-medium ring-1 ring-inset",
        className,
      )}
    >
      <Icon aria-hidden="true" className="size-3" />
      {label}
    </span>
  );
}

/** The conversation's summary: what it says, who wrote it and when, and (for members) a way to write it again. */
export function SummaryCard({ conversation: c }: { conversation: ConversationSummary }) {
  const { org } = useCurrentOrg();
  const utils = trpc.useUtils();
  const now = useClock(15_000);
  const canWrite = hasRole(org.role, "member");
  const summarize = trpc.conversations.summarize.useMutation({
    onSuccess: async () => {
      await Promise.all([
        utils.conversations.get.invalidate({ orgId: org.id, conversationId: c.id }),
        utils.conversations.list.invalidate({ orgId: org.id }),
      ]);
    },
  });
  const stale = c.summary !== null && c.summarizedAt !== null && Date.parse(c.lastAt) > Date.parse(c.summarizedAt);
  const refused = errorStatus(summarize.error) === 403;

  return (
    <section
      aria-labelledby="summary-title"
      data-testid="summary-card"
      className="rounded-lg border border-zinc-200 bg-white p-5 shadow-xs dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex flex-wrap items-center gap-2">
          <h2 id="summary-title" className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">
            Summary
          </h2>
          {c.summarySource && <SourceBadge source={c.summarySource} />}
          {c.summarizedAt && (
            <span className="text-xs text-zinc-500 dark:text-zinc-400" data-testid="summary-written">
              written{" "}
              <time dateTime={c.summarizedAt} title={formatDateTime(c.summarizedAt)}>
                {formatAgo(Date.parse(c.summarizedAt), now)}
              </time>
            </span>
          )}
        </div>
        {canWrite && (
          <Button
            size="sm"
            variant="secondary"
            pending={summarize.isPending}
            onClick={() => summarize.mutate({ orgId: org.id, conversationId: c.id })}
            data-testid="regenerate-summary"
            title="Write the summary again from the transcript as it is now"
          >
            {!summarize.isPending && <RefreshCw aria-hidden="true" className="size-3.5" />}
            {c.summary ? "Regenerate" : "Summarize now"}
          </Button>
        )}
      </div>

      {c.summary ? (
        <p
          className="mt-3 text-sm leading-6 break-words whitespace-pre-line text-zinc-700 dark:text-zinc-300"
          data-testid="summary-text"
        >
          {c.summary}
        </p>
      ) : (
        <p className="mt-3 text-sm text-zinc-500 dark:text-zinc-400" data-testid="summary-pending">
          <SummaryPending className="mr-1.5" />
          It is written once the conversation has been quiet for a couple of minutes
          {canWrite ? ", or now with Summarize now." : "."}
        </p>
      )}

      {stale && (
        <p className="mt-3 text-xs text-amber-700 dark:text-amber-300">
          New activity since this summary was written; it is rewritten once the conversation goes quiet again.
        </p>
      )}
      {summarize.data?.error && (
        <p
          role="status"
          className="mt-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-xs text-amber-900 dark:border-amber-900/60 dark:bg-amber-950/30 dark:text-amber-200"
        >
          {summarize.data.error}
        </p>
      )}
      {summarize.error && (
        <Alert className="mt-3">
          {refused
            ? "Only members of the organisation can regenerate summaries; viewers can read them."
            : errorMessage(summarize.error)}
        </Alert>
      )}
    </section>
  );
}
