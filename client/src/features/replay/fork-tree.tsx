import { clsx } from "clsx";
import { CornerDownRight, GitFork } from "lucide-react";
import { Link } from "react-router";
import { Ago } from "../../components/ago.tsx";
import { RunStatusBadge } from "../../components/run-status-badge.tsx";
import { VerdictBadge } from "../../components/verdict-badge.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { formatCost, formatMs } from "../../lib/run-format.ts";
import { useForks, type ForkNode } from "./replay-api.ts";
import { variantTitle } from "./variant-name.tsx";

interface TreeRow {
  node: ForkNode;
  depth: number;
}

/** Parents before their children, siblings oldest first. */
export function flattenForks(nodes: readonly ForkNode[]): TreeRow[] {
  const ids = new Set(nodes.map((n) => n.runId));
  const children = new Map<string | null, ForkNode[]>();
  for (const n of nodes) {
    const parent = n.parentRunId && ids.has(n.parentRunId) ? n.parentRunId : null;
    children.set(parent, [...(children.get(parent) ?? []), n]);
  }
  const rows: TreeRow[] = [];
  const walk = (parent: string | null, depth: number) => {
    const list = [...(children.get(parent) ?? [])].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    for (const n of list) {
      rows.push({ node: n, depth });
      walk(n.runId, depth + 1);
    }
  };
  walk(null, 0);
  return rows;
}

const runLink = (id: string) => `/runs/${encodeURIComponent(id)}`;

/** Under a replay's header: which run it replays and the step it forked at. */
export function ReplayLineage({ orgId, runId }: { orgId: string; runId: string }) {
  const forks = useForks({ orgId, runId });
  const self = forks.data?.find((n) => n.runId === runId);
  if (!self?.parentRunId) return null;
  const parent = forks.data?.find((n) => n.runId === self.parentRunId);
  return (
    <p
      data-testid="replay-lineage"
      className="mb-4 flex flex-wrap items-center gap-x-1.5 gap-y-1 rounded-lg bg-indigo-50 px-3.5 py-2 text-sm text-indigo-900 ring-1 ring-indigo-200 ring-inset dark:bg-indigo-500/10 dark:text-indigo-200 dark:ring-indigo-500/25"
    >
      <GitFork aria-hidden="true" className="size-4 text-indigo-500" />
      <strong className="font-semibold">{variantTitle(self.number)}</strong>
      {self.label && <span>({self.label})</span>}
      <span>of</span>
      <Link
        to={runLink(self.parentRunId)}
        className="font-medium underline-offset-2 hover:underline"
        data-testid="replay-parent-link"
      >
        {!parent ? self.parentRunId.slice(0, 8) : parent.parentRunId ? variantTitle(parent.number) : "the original run"}
      </Link>
      {self.forkStep && (
        <>
          <span>, forked at step</span>
          <code className="rounded bg-white/70 px-1 font-mono text-[12px] dark:bg-zinc-900/50">{self.forkStep}</code>
        </>
      )}
      {self.verdict && <VerdictBadge verdict={self.verdict} step={self.verdictStep} withStep className="ml-1" />}
    </p>
  );
}

/**
 * A run's fork tree: the original, its replays and theirs, each with its number, name and verdict, with links.
 * Nothing when the run was never replayed. `highlight` marks the variant on screen (the Test fix page).
 */
export function ForkTree({
  orgId,
  runId,
  highlight,
  className = "mt-6",
}: {
  orgId: string;
  runId: string;
  highlight?: string | null;
  className?: string;
}) {
  const forks = useForks({ orgId, runId });
  const nodes = forks.data ?? [];
  if (nodes.length <= 1) return null;
  const rows = flattenForks(nodes);
  return (
    <section className={className} data-testid="fork-tree" aria-labelledby="fork-tree-title">
      <h2
        id="fork-tree-title"
        className="mb-2 flex items-center gap-2 text-sm font-semibold text-zinc-900 dark:text-zinc-100"
      >
        <GitFork aria-hidden="true" className="size-4 text-indigo-500" />
        Fork tree
        <span className="font-normal text-zinc-500 dark:text-zinc-400">
          {nodes.length - 1} {nodes.length === 2 ? "replay" : "replays"}
        </span>
      </h2>
      <ul className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 bg-white shadow-xs dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900">
        {rows.map(({ node, depth }) => {
          const current = node.runId === runId;
          const shown = node.runId === highlight;
          return (
            <li
              key={node.runId}
              data-testid="fork-node"
              data-run-id={node.runId}
              data-current={current || undefined}
              data-verdict={node.verdict ?? undefined}
              className={clsx(
                "flex items-center gap-x-3 gap-y-1 px-3 py-2 text-sm sm:px-4",
                (shown || (current && !highlight)) && "bg-indigo-50/60 dark:bg-indigo-500/10",
              )}
            >
              <span
                className="flex min-w-0 flex-1 items-center gap-1.5"
                style={{ paddingLeft: `${Math.min(depth, 6) * 1}rem` }}
              >
                {depth > 0 && (
                  <CornerDownRight aria-hidden="true" className="size-3.5 shrink-0 text-zinc-400 dark:text-zinc-500" />
                )}
                <Link
                  to={runLink(node.runId)}
                  className={clsx(
                    "shrink-0 font-medium hover:text-indigo-600 dark:hover:text-indigo-400",
                    current || shown ? "text-indigo-700 dark:text-indigo-300" : "text-zinc-800 dark:text-zinc-200",
                  )}
                >
                  {node.parentRunId ? variantTitle(node.number) : "Original run"}
                </Link>
                {node.label && (
                  <span className="min-w-0 truncate text-xs text-zinc-600 dark:text-zinc-400" title={node.label}>
                    {node.label}
                  </span>
                )}
                {node.forkStep && !node.label && (
                  <span className="shrink-0 text-xs text-zinc-500 dark:text-zinc-400">
                    from <code className="font-mono">{node.forkStep}</code>
                  </span>
                )}
                {current && !highlight && (
                  <span className="shrink-0 text-xs text-indigo-700 dark:text-indigo-300">· this run</span>
                )}
                {shown && <span className="shrink-0 text-xs text-indigo-700 dark:text-indigo-300">· shown</span>}
              </span>
              {node.verdict ? (
                <VerdictBadge verdict={node.verdict} step={node.verdictStep} withStep className="shrink-0" />
              ) : (
                <RunStatusBadge status={node.status} />
              )}
              <span className="hidden w-14 text-right text-xs text-zinc-500 tabular-nums sm:inline dark:text-zinc-400">
                {formatMs(node.durationMs)}
              </span>
              <span className="hidden w-16 text-right text-xs text-zinc-500 tabular-nums md:inline dark:text-zinc-400">
                {formatCost(node.costUsd)}
              </span>
              <span
                className="hidden w-20 text-right text-xs text-zinc-500 md:inline dark:text-zinc-400"
                title={formatDateTime(node.startedAt)}
              >
                <Ago iso={node.startedAt} />
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
