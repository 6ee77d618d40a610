import { useCallback, useState } from "react";
import { useSearchParams } from "react-router";
import type { ReplayRequestInput } from "@shared/schemas/replay.ts";
import type { RunStatus } from "@shared/schemas/runs.ts";
import { errorMessage } from "../../lib/errors.ts";
import { useInvalidateForks, useStartReplay } from "./replay-api.ts";

const listParam = (value: string | null) => (value ? value.split(",").filter(Boolean) : []);

/**
 * The variants started from one page. Their ids live in the URL (`?variants=a,b&show=b`), so a reload or a shared
 * link brings every variant back, still streaming if it is.
 */
export function useVariants(orgId: string) {
  const [params, setParams] = useSearchParams();
  const start = useStartReplay();
  const invalidateForks = useInvalidateForks();
  const [error, setError] = useState<string | null>(null);
  const [labels, setLabels] = useState<Record<string, string>>({});
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
      if (request.label) setLabels((prev) => ({ ...prev, [replayId]: request.label! }));
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
  const show = (id: string) => update((n) => n.set("show", id), true);

  return { ids, activeId, labels, statuses, onStatus, show, run, pending: start.pending, error, params, update };
}

export type Variants = ReturnType<typeof useVariants>;
