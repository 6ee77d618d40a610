import { skipToken } from "@tanstack/react-query";
import { useState } from "react";
import type { LiveConnection } from "../../lib/live/live-connection.ts";
import { useLiveSubscription } from "../../lib/live/use-live-subscription.ts";
import { trpc } from "../../lib/trpc.ts";
import { applyLiveRuns, type LiveRun } from "./merge-runs.ts";

/**
 * The organisation's runs as they change, from `runs.live`: an overlay of the newest copy of each run seen since
 * `startId` (the first page's event id). The list merges it over whatever pages it has loaded, whatever the filters,
 * so changing a filter never loses an event. `onReset` runs when the server could not fill a gap.
 */
export function useLiveRuns(
  orgId: string,
  startId: string | null,
  onReset: () => void,
): { overlay: ReadonlyMap<string, LiveRun>; connection: LiveConnection } {
  const [overlay, setOverlay] = useState<ReadonlyMap<string, LiveRun>>(() => new Map());
  const connection = useLiveSubscription(trpc.runs.live, startId !== null ? { orgId } : skipToken, {
    startId,
    onData: (event) => {
      if (event.type === "reset") onReset();
      else {
        const receivedAt = Date.now();
        setOverlay((prev) => applyLiveRuns(prev, event.runs, receivedAt));
      }
    },
  });
  return { overlay, connection };
}
