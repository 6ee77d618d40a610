import type { SpanSummary } from "@shared/schemas/runs.ts";

/** What matching reads of a span; the page's spans carry their payloads too. */
type Span = Pick<SpanSummary, "id" | "parentId" | "name" | "startedAt">;

/** A span of one run, where it sits in its tree. */
export interface PlacedSpan<S extends Span = Span> {
  span: S;
  depth: number;
  /**
   * Its place by name: the names of its ancestors and itself, each with how many same-named siblings came before
   * (`agent#0/model#1` = the second `model` call under the first `agent`). Equal keys match across runs.
   */
  key: string;
}

/** One line of a comparison: the span of each run at the same place, either missing when the other run has none. */
export interface SpanPair<S extends Span = Span> {
  key: string;
  depth: number;
  name: string;
  a: S | null;
  b: S | null;
}

const byStart = (x: Span, y: Span) =>
  x.startedAt === y.startedAt ? (x.id < y.id ? -1 : x.id > y.id ? 1 : 0) : x.startedAt < y.startedAt ? -1 : 1;

/** The spans in tree order (a parent before its children, siblings by start), each with its key. */
export function placeSpans<S extends Span>(spans: readonly S[]): PlacedSpan<S>[] {
  const ids = new Set(spans.map((s) => s.id));
  const children = new Map<string | null, S[]>();
  for (const span of spans) {
    // A span whose parent is not among them (not sent, or cut off) is shown as a root.
    const parent = span.parentId !== null && ids.has(span.parentId) ? span.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const out: PlacedSpan<S>[] = [];
  const visit = (parent: string | null, prefix: string, depth: number) => {
    const seen = new Map<string, number>();
    for (const span of (children.get(parent) ?? []).sort(byStart)) {
      const n = seen.get(span.name) ?? 0;
      seen.set(span.name, n + 1);
      const key = `${prefix}${span.name}#${n}`;
      out.push({ span, depth, key });
      visit(span.id, `${key}/`, depth + 1);
    }
  };
  visit(null, "", 0);
  return out;
}

/**
 * Pairs the spans of two runs by name and position in their trees: in the first run's order, with each span the
 * second run lacks shown right after its nearest preceding match.
 */
export function matchSpans<S extends Span>(a: readonly S[], b: readonly S[]): SpanPair<S>[] {
  const left = placeSpans(a);
  const right = placeSpans(b);
  const rightByKey = new Map(right.map((p) => [p.key, p]));
  const leftKeys = new Set(left.map((p) => p.key));
  // The second run's extra spans, grouped under the key of the matched span they follow.
  const extrasAfter = new Map<string | null, PlacedSpan<S>[]>();
  let lastMatched: string | null = null;
  for (const p of right) {
    if (leftKeys.has(p.key)) lastMatched = p.key;
    else extrasAfter.set(lastMatched, [...(extrasAfter.get(lastMatched) ?? []), p]);
  }
  const pair = (p: PlacedSpan<S>, side: "a" | "b"): SpanPair<S> => ({
    key: p.key,
    depth: p.depth,
    name: p.span.name,
    a: side === "a" ? p.span : null,
    b: side === "b" ? p.span : null,
  });
  const rows: SpanPair<S>[] = (extrasAfter.get(null) ?? []).map((p) => pair(p, "b"));
  for (const p of left) {
    rows.push({ ...pair(p, "a"), b: rightByKey.get(p.key)?.span ?? null });
    for (const extra of extrasAfter.get(p.key) ?? []) rows.push(pair(extra, "b"));
  }
  return rows;
}
