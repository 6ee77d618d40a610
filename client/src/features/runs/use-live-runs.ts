import { skipToken } from "@tanstack/react-query";
import { useState } from "react";
import { trpc } from "../../lib/trpc.ts";
import { applyLiveRuns, type LiveRun } from "./merge-runs.ts";
import { type LiveConnection, useRestartWithBackoff, useResumableStream } from "./use-resume.ts";

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
  const stream = useResumableStream(startId);
  const enabled = startId !== null;
  const subscription = trpc.runs.live.useSubscription(
    enabled ? { orgId, lastEventId: stream.lastEventId } : skipToken,
    {
      onData: ({ id, data }) => {
        stream.track(id);
        if (data.type === "reset") onReset();
        else {
          const receivedAt = Date.now();
          setOverlay((prev) => applyLiveRuns(prev, data.runs, receivedAt));
        }
      },
    },
  );
  const connection = useRestartWithBackoff(stream, subscription.status, subscription.reset, enabled);
  return { overlay, connection };
}
