import type { SpanSummary } from "@shared/schemas/runs.ts";

/**
 * The span tree of a run, built once per data change in O(n log n) (a Map from id to node, children in execution order)
 * so rendering a row never scans the spans. A span whose parent has not arrived yet hangs from the top level until it
 * does; a cycle in bad data is broken at the span that closes it, so every span is shown exactly once.
 */

export interface SpanNode {
  span: SpanSummary;
  /** Epoch ms, parsed once. */
  start: number;
  end: number | null;
  depth: number;
  parent: SpanNode | null;
  children: SpanNode[];
  /** Whether the span's `parentId` names a span not (yet) received. */
  orphan: boolean;
}

export interface SpanTree {
  roots: SpanNode[];
  byId: ReadonlyMap<string, SpanNode>;
  /** Earliest start and latest known end over all spans (epoch ms); null without spans. */
  minStart: number | null;
  maxEnd: number | null;
  running: number;
  errors: number;
}

const UNKNOWN = Number.POSITIVE_INFINITY;

/**
 * Execution order: by start; within one millisecond by the step's position in its workflow (where known), then by
 * end (a span that ended at the instant another began ran first; a running one last), then by id so the order is
 * stable.
 */
const byStart = (a: SpanNode, b: SpanNode) =>
  a.start - b.start ||
  (a.span.stepIndex ?? UNKNOWN) - (b.span.stepIndex ?? UNKNOWN) ||
  (a.end ?? UNKNOWN) - (b.end ?? UNKNOWN) ||
  (a.span.id < b.span.id ? -1 : a.span.id > b.span.id ? 1 : 0);

export function buildSpanTree(spans: Iterable<SpanSummary>): SpanTree {
  const byId = new Map<string, SpanNode>();
  let minStart: number | null = null;
  let maxEnd: number | null = null;
  let running = 0;
  let errors = 0;
  for (const span of spans) {
    const start = Date.parse(span.startedAt);
    const end = span.endedAt ? Date.parse(span.endedAt) : null;
    byId.set(span.id, { span, start, end, depth: 0, parent: null, children: [], orphan: false });
    if (minStart === null || start < minStart) minStart = start;
    const last = end ?? start;
    if (maxEnd === null || last > maxEnd) maxEnd = last;
    if (span.status === "running") running++;
    else if (span.status === "error") errors++;
  }

  const roots: SpanNode[] = [];
  for (const node of byId.values()) {
    const parentId = node.span.parentId;
    const parent = parentId && parentId !== node.span.id ? byId.get(parentId) : undefined;
    if (parent) {
      node.parent = parent;
      parent.children.push(node);
    } else {
      node.orphan = Boolean(parentId && parentId !== node.span.id);
      roots.push(node);
    }
  }

  // Depths by walking down from the top level; whatever is not reached sits on a cycle.
  const seen = new Set<SpanNode>();
  const walk = (top: SpanNode) => {
    const stack: SpanNode[] = [top];
    top.depth = 0;
    seen.add(top);
    while (stack.length > 0) {
      const node = stack.pop()!;
      node.children.sort(byStart);
      for (const child of node.children) {
        if (seen.has(child)) continue;
        seen.add(child);
        child.depth = node.depth + 1;
        stack.push(child);
      }
    }
  };
  roots.sort(byStart);
  for (const root of roots) walk(root);
  if (seen.size < byId.size) {
    for (const node of byId.values()) {
      if (seen.has(node)) continue;
      // Cut the cycle here: the node becomes a top-level span, and its old parent no longer lists it.
      if (node.parent) node.parent.children = node.parent.children.filter((c) => c !== node);
      node.parent = null;
      node.orphan = true;
      roots.push(node);
      walk(node);
    }
    roots.sort(byStart);
  }
  return { roots, byId, minStart, maxEnd, running, errors };
}

/** A visible row: a span at its depth, in tree order. */
export interface SpanRow {
  node: SpanNode;
  expanded: boolean;
}

/** The rows shown with `collapsed` spans' descendants hidden: O(visible rows). */
export function flattenTree(tree: SpanTree, collapsed: ReadonlySet<string>): SpanRow[] {
  const rows: SpanRow[] = [];
  const stack: SpanNode[] = [];
  for (let i = tree.roots.length - 1; i >= 0; i--) stack.push(tree.roots[i]!);
  while (stack.length > 0) {
    const node = stack.pop()!;
    const expanded = node.children.length > 0 && !collapsed.has(node.span.id);
    rows.push({ node, expanded });
    if (expanded) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return rows;
}

/** Spans merged from the snapshot and the live stream: a finished copy is never replaced by a running one. */
export function upsertSpans(
  prev: ReadonlyMap<string, SpanSummary>,
  spans: readonly SpanSummary[],
): ReadonlyMap<string, SpanSummary> {
  if (spans.length === 0) return prev;
  const next = new Map(prev);
  for (const span of spans) {
    const seen = next.get(span.id);
    if (seen && seen.status !== "running" && span.status === "running") continue;
    next.set(span.id, span);
  }
  return next;
}
