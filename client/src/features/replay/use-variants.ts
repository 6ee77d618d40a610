import { skipToken } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useParams, useSearchParams } from "react-router";
import type { ReplayRequestInput } from "@shared/schemas/replay.ts";
import type { RunStatus } from "@shared/schemas/runs.ts";
import { errorMessage } from "../../lib/errors.ts";
import { type ForkNode, useForks, useInvalidateForks, useStartReplay } from "./replay-api.ts";

const listParam = (value: string | null) => (value ? value.split(",").filter(Boolean) : []);

/**
 * The variants started from one page. Their ids live in the URL (`?variants=a,b&show=b`), so a reload or a shared
 * link brings every variant back, still streaming if it is. Their numbers and names come from the fork tree the
 * server keeps, so they are the same on every visit.
 */
export function useVariants(orgId: string) {
  const [params, setParams] = useSearchParams();
  const start = useStartReplay();
  const invalidateForks = useInvalidateForks();
  const [error, setError] = useState<string | null>(null);
  const { runId } = useParams();
  const forks = useForks(runId ? { orgId, runId } : skipToken);
  const nodes = useMemo(() => new Map<string, ForkNode>(forks.data?.map((n) => [n.runId, n])), [forks.data]);
  const [statuses, setStatuses] = useState<Record<string, RunStatus>>({});
  const ids = listParam(params.get("variants"));
  const activeId = params.get("show") ?? ids.at(-1) ?? null;

  const update = useCallback(
    (change: (next: URLSearchParams) => void, replace = false) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          change(next);
          return next;
        },
        { replace },
      ),
    [setParams],
  );

  const run = async (request: ReplayRequestInput) => {
    setError(null);
    try {
      const replayId = await start.run(orgId, request);
      update((n) => {
        n.set("variants", [...listParam(n.get("variants")), replayId].join(","));
        n.delete("show");
      });
      invalidateForks();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const onStatus = useCallback(
    (id: string, status: RunStatus) => setStatuses((prev) => (prev[id] === status ? prev : { ...prev, [id]: status })),
    [],
  );
  // A variant that finished has its verdict: the tree and the tabs show it.
  const finished = Object.values(statuses).filter((s) => s !== "running").length;
  useEffect(() => {
    if (finished > 0) invalidateForks();
  }, [finished, invalidateForks]);
  const show = (id: string) => update((n) => n.set("show", id), true);

  return { ids, activeId, nodes, statuses, onStatus, show, run, pending: start.pending, error, params, update };
}

export type Variants = ReturnType<typeof useVariants>;
