import { clsx } from "clsx";
import { CornerDownRight, GitFork } from "lucide-react";
import { Link } from "react-router";
import { Ago } from "../../components/ago.tsx";
import { RunStatusBadge } from "../../components/run-status-badge.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { formatCost, formatMs } from "../../lib/run-format.ts";
import { useForks, type ForkNode } from "./replay-api.ts";

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
      {self.label ? <strong className="font-semibold">{self.label}</strong> : "A replay"}
      <span>of</span>
      <Link
        to={runLink(self.parentRunId)}
        className="font-medium underline-offset-2 hover:underline"
        data-testid="replay-parent-link"
      >
        {parent?.label ?? (parent && !parent.parentRunId ? "the original run" : self.parentRunId.slice(0, 8))}
      </Link>
      {self.forkStep && (
        <>
          <span>, forked at step</span>
          <code className="rounded bg-white/70 px-1 font-mono text-[12px] dark:bg-zinc-900/50">{self.forkStep}</code>
        </>
      )}
    </p>
  );
}

/** A run's fork tree: the original, its replays and theirs, with links. Nothing when the run was never replayed. */
export function ForkTree({ orgId, runId }: { orgId: string; runId: string }) {
  const forks = useForks({ orgId, runId });
  const nodes = forks.data ?? [];
  if (nodes.length <= 1) return null;
  const rows = flattenForks(nodes);
  return (
    <section className="mt-6" data-testid="fork-tree" aria-labelledby="fork-tree-title">
      <h2
        id="fork-tree-title"
        className="mb-2 flex items-center gap-2 text-sm font-semibold text-zinc-900 dark:text-zinc-100"
      >
        <GitFork aria-hidden="true" className="size-4 text-indigo-500" />
        Replays
        <span className="font-normal text-zinc-400">{nodes.length - 1}</span>
      </h2>
      <ul className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 bg-white shadow-xs dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900">
        {rows.map(({ node, depth }) => {
          const current = node.runId === runId;
          return (
            <li
              key={node.runId}
              data-testid="fork-node"
              data-run-id={node.runId}
              data-current={current || undefined}
              className={clsx(
                "flex items-center gap-3 px-4 py-2 text-sm",
                current && "bg-indigo-50/60 dark:bg-indigo-500/10",
              )}
            >
              <span className="flex min-w-0 flex-1 items-center gap-1.5" style={{ paddingLeft: `${depth * 1.25}rem` }}>
                {depth > 0 && (
                  <CornerDownRight aria-hidden="true" className="size-3.5 shrink-0 text-zinc-300 dark:text-zinc-600" />
                )}
                <Link
                  to={runLink(node.runId)}
                  className={clsx(
                    "truncate font-medium hover:text-indigo-600 dark:hover:text-indigo-400",
                    current ? "text-indigo-700 dark:text-indigo-300" : "text-zinc-800 dark:text-zinc-200",
                  )}
                >
                  {node.parentRunId ? (node.label ?? "Replay") : "Original run"}
                </Link>
                {node.forkStep && (
                  <span className="shrink-0 text-xs text-zinc-500 dark:text-zinc-400">
                    from <code className="font-mono">{node.forkStep}</code>
                  </span>
                )}
                {current && <span className="shrink-0 text-xs text-indigo-600 dark:text-indigo-400">· this run</span>}
              </span>
              <RunStatusBadge status={node.status} />
              <span className="w-16 text-right text-xs text-zinc-500 tabular-nums">{formatMs(node.durationMs)}</span>
              <span className="w-16 text-right text-xs text-zinc-500 tabular-nums">{formatCost(node.costUsd)}</span>
              <span className="w-24 text-right text-xs text-zinc-500" title={formatDateTime(node.startedAt)}>
                <Ago iso={node.startedAt} />
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
