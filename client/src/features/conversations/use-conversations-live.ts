import { useCallback } from "react";
import type { RunSummary } from "@shared/schemas/runs.ts";
import type { LiveConnection } from "../../lib/live/live-connection.ts";
import { useLiveSubscription } from "../../lib/live/use-live-subscription.ts";
import { trpc } from "../../lib/trpc.ts";
import { useThrottledCallback } from "../../lib/use-throttled-callback.ts";

/** Live events refresh a conversation view at most this often while they keep coming. */
const REFRESH_MS = 5_000;

/**
 * Keeps conversation views current from the organisation's live runs, throttled: `onConversation` when a run of
 * that conversation changed, the list (wherever it is cached) when any run of any conversation did. A reset or a
 * restarted stream may have missed anything, so it refreshes both.
 */
export function useConversationsLive(orgId: string, conversationId?: string): LiveConnection {
  const utils = trpc.useUtils();
  const refreshList = useThrottledCallback(
    useCallback(() => void utils.conversations.list.invalidate({ orgId }), [utils, orgId]),
    REFRESH_MS,
  );
  const refreshOne = useThrottledCallback(
    useCallback(() => {
      if (conversationId) void utils.conversations.get.invalidate({ orgId, conversationId });
    }, [utils, orgId, conversationId]),
    REFRESH_MS,
  );
  /** `null`: anything may have changed. */
  const changed = (runs: RunSummary[] | null) => {
    if (runs === null || runs.some((r) => r.conversationId)) refreshList();
    if (conversationId && (runs === null || runs.some((r) => r.conversationId === conversationId))) refreshOne();
  };
  return useLiveSubscription(
    trpc.runs.live,
    { orgId },
    {
      onData: (event) => changed(event.type === "reset" ? null : event.runs),
      onGap: () => changed(null),
    },
  );
}
