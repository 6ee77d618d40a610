// Types only: a value import from the schemas module would bring zod into the page's chunk.
import type { RunFilters, RunOrder, RunOrigin, RunSort, RunStatus, RunSummary } from "@shared/schemas/runs.ts";

/** The statuses a run can have, in the order the filter offers them (mirrors RUN_STATUSES of the schemas). */
export const STATUSES: readonly RunStatus[] = ["running", "success", "error"];

/** Which runs the list shows (mirrors RUN_ORIGINS); production runs unless the URL asks otherwise. */
export const ORIGINS: readonly RunOrigin[] = ["production", "replays", "all"];

/** The sortable columns (mirrors RUN_SORTS). */
export const SORTS: readonly RunSort[] = ["started", "duration", "tokens", "cost"];
export const DEFAULT_ORDER: RunOrder = { sort: "started", dir: "desc" };

/**
 * The Runs page's filters as they live in the URL (`?status=error&range=24h&q=refund`), so a filtered view can be
 * shared, bookmarked and walked with back/forward.
 */

export const RANGES = ["1h", "24h", "7d", "30d", "custom"] as const;
export type Range = (typeof RANGES)[number];

export const RANGE_LABELS: Record<Range, string> = {
  "1h": "Last hour",
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  custom: "Custom range",
};

const RANGE_MS: Record<Exclude<Range, "custom">, number> = {
  "1h": 3600_000,
  "24h": 24 * 3600_000,
  "7d": 7 * 24 * 3600_000,
  "30d": 30 * 24 * 3600_000,
};

export interface UrlFilters {
  origin: RunOrigin;
  status: RunStatus | null;
  workflow: string | null;
  tag: string | null;
  range: Range | null;
  /** ISO times, for the custom range. */
  from: string | null;
  to: string | null;
  q: string;
}

export const FILTER_KEYS = ["origin", "status", "workflow", "tag", "range", "from", "to", "q"] as const;

function isoOrNull(value: string | null): string | null {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

export function parseFilters(params: URLSearchParams): UrlFilters {
  const status = params.get("status");
  const range = params.get("range");
  const origin = params.get("origin");
  return {
    origin: ORIGINS.includes(origin as RunOrigin) ? (origin as RunOrigin) : "production",
    status: STATUSES.includes(status as RunStatus) ? (status as RunStatus) : null,
    workflow: params.get("workflow") || null,
    tag: params.get("tag") || null,
    range: RANGES.includes(range as Range) ? (range as Range) : null,
    from: isoOrNull(params.get("from")),
    to: isoOrNull(params.get("to")),
    q: params.get("q")?.slice(0, 200) ?? "",
  };
}

/** A copy of `params` with the given filters changed; empty values remove their parameter. */
export function withFilters(params: URLSearchParams, patch: Partial<UrlFilters>): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === undefined || value === "" || (key === "origin" && value === "production"))
      next.delete(key);
    else next.set(key, String(value));
  }
  if (patch.range !== undefined && patch.range !== "custom") {
    next.delete("from");
    next.delete("to");
  }
  return next;
}

export function hasFilters(f: UrlFilters): boolean {
  return Boolean(f.origin !== "production" || f.status || f.workflow || f.tag || f.range || f.q.trim());
}

/**
 * What the server is asked for. Relative ranges ("last hour") are resolved against `anchor`, the moment the view
 * was last (re)loaded, so the query key stays still between renders.
 */
export function toQueryFilters(f: UrlFilters, anchor: number): RunFilters {
  const out: RunFilters = {};
  if (f.origin !== "production") out.origin = f.origin;
  if (f.status) out.status = f.status;
  if (f.workflow) out.workflow = f.workflow;
  if (f.tag) out.tag = f.tag;
  if (f.range && f.range !== "custom") out.from = new Date(anchor - RANGE_MS[f.range]).toISOString();
  if (f.range === "custom") {
    if (f.from) out.from = f.from;
    if (f.to) out.to = f.to;
  }
  const q = f.q.trim();
  if (q) out.q = q;
  return out;
}

/**
 * Whether a run seen on the live stream belongs in the filtered list: `maybe` when only the server can tell (the
 * text filter also searches inputs and outputs, which summaries do not carry).
 */
export function matchRun(run: RunSummary, f: RunFilters): "yes" | "no" | "maybe" {
  const origin = f.origin ?? "production";
  if (origin === "production" && run.replayOf !== null) return "no";
  if (origin === "replays" && run.replayOf === null) return "no";
  if (f.status && run.status !== f.status) return "no";
  if (f.workflow && run.workflow !== f.workflow) return "no";
  if (f.tag && !run.tags.includes(f.tag)) return "no";
  const started = Date.parse(run.startedAt);
  if (f.from && started < Date.parse(f.from)) return "no";
  if (f.to && started >= Date.parse(f.to)) return "no";
  const q = f.q?.trim().toLowerCase();
  if (!q) return "yes";
  if (run.id.toLowerCase().includes(q) || run.name.toLowerCase().includes(q) || run.conversationId === f.q?.trim())
    return "yes";
  return "maybe";
}

/** The list's order from the URL (`?sort=cost&dir=asc`); started, newest first, when absent. */
export function parseOrder(params: URLSearchParams): RunOrder {
  const sort = params.get("sort");
  const dir = params.get("dir");
  return {
    sort: SORTS.includes(sort as RunSort) ? (sort as RunSort) : DEFAULT_ORDER.sort,
    dir: dir === "asc" || dir === "desc" ? dir : DEFAULT_ORDER.dir,
  };
}

/**
 * What a click on a column's header asks for: the other direction of the current column, or a new column from its
 * largest (newest, longest, most) values. The default order leaves the URL.
 */
export function withOrder(params: URLSearchParams, current: RunOrder, sort: RunSort): URLSearchParams {
  const dir = current.sort === sort && current.dir === "desc" ? "asc" : "desc";
  const next = new URLSearchParams(params);
  if (sort === DEFAULT_ORDER.sort && dir === DEFAULT_ORDER.dir) {
    next.delete("sort");
    next.delete("dir");
  } else {
    next.set("sort", sort);
    next.set("dir", dir);
  }
  return next;
}

/** Whether live runs can be placed in the list as they arrive: only in the default order (see mergeRuns). */
export function isDefaultOrder(order: RunOrder): boolean {
  return order.sort === DEFAULT_ORDER.sort && order.dir === DEFAULT_ORDER.dir;
}
