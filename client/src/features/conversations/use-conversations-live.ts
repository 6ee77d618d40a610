import { useCallback } from "react";
import { trpc } from "../../lib/trpc.ts";
import { useRunsLive } from "../../lib/use-runs-live.ts";
import { useThrottledCallback } from "../../lib/use-throttled-callback.ts";

/** Live events refresh a conversation view at most this often while they keep coming. */
const REFRESH_MS = 5_000;

/**
 * Keeps conversation views current from the organisation's live runs, throttled: `onConversation` when a run of
 * that conversation changed, the list (wherever it is cached) when any run of any conversation did. A reset or a
 * restarted stream may have missed anything, so it refreshes both.
 */
export function useConversationsLive(orgId: string, conversationId?: string) {
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
  return useRunsLive(
    orgId,
    useCallback(
      (runs) => {
        if (runs === null || runs.some((r) => r.conversationId)) refreshList();
        if (conversationId && (runs === null || runs.some((r) => r.conversationId === conversationId))) refreshOne();
      },
      [refreshList, refreshOne, conversationId],
    ),
  );
}
