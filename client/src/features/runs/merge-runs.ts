import type { RunFilters, RunSummary } from "@shared/schemas/runs.ts";
import { matchRun } from "./filters.ts";

/** A run as the live stream last delivered it, and when (client clock) that copy arrived. */
export interface LiveRun {
  run: RunSummary;
  receivedAt: number;
}

/** The most runs the live overlay remembers; older entries are dropped first (the list has them by then). */
export const MAX_LIVE_RUNS = 5_000;

/**
 * Folds a live batch into the overlay: a run is replaced only by a copy with a greater `seq`. Returns the same map
 * when nothing changed, so React can skip the render.
 */
export function applyLiveRuns(
  prev: ReadonlyMap<string, LiveRun>,
  runs: readonly RunSummary[],
  receivedAt: number,
): ReadonlyMap<string, LiveRun> {
  let next: Map<string, LiveRun> | null = null;
  for (const run of runs) {
    const seen = (next ?? prev).get(run.id);
    if (seen && seen.run.seq >= run.seq) continue;
    next ??= new Map(prev);
    // Re-inserted at the end: iteration order is arrival order, so the oldest are dropped first below.
    next.delete(run.id);
    next.set(run.id, { run, receivedAt });
  }
  if (!next) return prev;
  for (const id of next.keys()) {
    if (next.size <= MAX_LIVE_RUNS) break;
    next.delete(id);
  }
  return next;
}

const byStartDesc = (a: RunSummary, b: RunSummary) =>
  a.startedAt === b.startedAt ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.startedAt < b.startedAt ? 1 : -1;

export interface MergedRuns {
  rows: RunSummary[];
  /** Ids of rows that came from the live stream rather than the loaded pages (shown with a brief highlight). */
  liveIds: ReadonlySet<string>;
  /**
   * Runs that changed since the list was loaded and may match the text filter: only the server can tell, so the page
   * offers a refresh.
   */
  pending: number;
  /**
   * New runs that match but are not placed, because the list is sorted by something other than start time: where
   * they belong changes while they run, so the page offers a refresh instead of moving rows under the user.
   */
  held: number;
}

/**
 * The rows to show: the loaded pages with newer live copies swapped in (in place), plus live runs that match the
 * filters inserted in start order — in the default order only (newest first); in any other order they are counted
 * in `held`. A run older than the last loaded row is left to the next page when there is one.
 */
export function mergeRuns(
  pages: readonly RunSummary[],
  overlay: ReadonlyMap<string, LiveRun>,
  filters: RunFilters,
  { hasMore, fetchedAt, placeLive = true }: { hasMore: boolean; fetchedAt: number; placeLive?: boolean },
): MergedRuns {
  const seen = new Set<string>();
  const rows: RunSummary[] = [];
  for (const item of pages) {
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    const live = overlay.get(item.id);
    rows.push(live && live.run.seq > item.seq ? live.run : item);
  }
  const oldest = hasMore && rows.length > 0 ? rows[rows.length - 1]!.startedAt : null;
  const inserted: RunSummary[] = [];
  let pending = 0;
  let held = 0;
  for (const { run, receivedAt } of overlay.values()) {
    if (seen.has(run.id)) continue;
    if (placeLive && oldest !== null && run.startedAt < oldest) continue;
    const match = matchRun(run, filters);
    if (match === "yes" && placeLive) inserted.push(run);
    else if (match === "yes" && receivedAt > fetchedAt) held++;
    else if (match === "maybe" && receivedAt > fetchedAt) pending++;
  }
  if (inserted.length === 0) return { rows, liveIds: new Set(), pending, held };
  return {
    rows: [...rows, ...inserted].sort(byStartDesc),
    liveIds: new Set(inserted.map((r) => r.id)),
    pending,
    held,
  };
}
