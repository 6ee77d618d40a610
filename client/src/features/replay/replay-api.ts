import type { SkipToken, UseMutationResult, UseQueryResult } from "@tanstack/react-query";
import type {
  ForkNode,
  ReplayEvent,
  ReplayPlan,
  ReplayResult,
  TReplayRequestInput,
} from "../../../../shared/schemas/replay.ts";
import type { AppClientError } from "../../lib/errors.ts";
import { trpc } from "../../lib/trpc.ts";
import type { SubscriptionStatus } from "../../lib/live/live-connection.ts";

/** Every call the Test fix views make to the `replays` router, in one place. */

type RunInput = { orgId: string; runId: string };
type ReplayInput = { orgId: string; replayId: string };
type QueryOptions = { staleTime?: number; refetchOnWindowFocus?: boolean; refetchInterval?: number | false };

interface ReplaysHooks {
  plan: { useQuery: (input: RunInput | SkipToken, opts?: QueryOptions) => UseQueryResult<ReplayPlan, AppClientError> };
  get: {
    useQuery: (input: ReplayInput | SkipToken, opts?: QueryOptions) => UseQueryResult<ReplayResult, AppClientError>;
  };
  forks: {
    useQuery: (input: RunInput | SkipToken, opts?: QueryOptions) => UseQueryResult<ForkNode[], AppClientError>;
  };
  token: {
    useMutation: () => UseMutationResult<{ token: string; expiresAt: string }, AppClientError, RunInput>;
  };
  start: {
    useMutation: () => UseMutationResult<
      { replayId: string },
      AppClientError,
      { orgId: string; token: string; request: TReplayRequestInput }
    >;
  };
  stream: {
    useSubscription: (
      input: (ReplayInput & { lastEventId?: string }) | SkipToken,
      opts: { onData: (event: { id: string; data: ReplayEvent }) => void; onError?: (error: unknown) => void },
    ) => { status: SubscriptionStatus; reset: () => void };
  };
}

// The router's outputs as the shared contract declares them: JSON serialisation types `unknown` fields as optional.
const replays = trpc.replays as unknown as ReplaysHooks;

export const usePlan = (input: RunInput) => replays.plan.useQuery(input, { staleTime: 30_000 });

export const useForks = (input: RunInput | SkipToken) =>
  replays.forks.useQuery(input, { staleTime: 5_000, refetchOnWindowFocus: true });

export const useReplayResult = (input: ReplayInput | SkipToken) =>
  replays.get.useQuery(input, { staleTime: Infinity, refetchOnWindowFocus: false });

export const useReplayStream = replays.stream.useSubscription;

/** Asks for a stream token, then starts the replay with it: the seed's two-call handshake as one action. */
export function useStartReplay() {
  const token = replays.token.useMutation();
  const start = replays.start.useMutation();
  const run = async (orgId: string, request: TReplayRequestInput) => {
    const { token: t } = await token.mutateAsync({ orgId, runId: request.runId });
    const { replayId } = await start.mutateAsync({ orgId, token: t, request });
    return replayId;
  };
  return { run, pending: token.isPending || start.isPending };
}

export const useInvalidateForks = () => {
  const utils = trpc.useUtils();
  return () => void utils.replays.forks.invalidate();
};
