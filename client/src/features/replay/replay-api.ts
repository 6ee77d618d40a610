import type { SkipToken } from "@tanstack/react-query";
import { useCallback } from "react";
import type { ReplayRequestInput } from "@shared/schemas/replay.ts";
import { trpc, type RouterOutputs } from "../../lib/trpc.ts";

/**
 * Every call the Test fix views make to the `replays` router, in one place, and the shapes they read: the router's
 * outputs as JSON delivers them (payloads the contract types `unknown` may be absent).
 */

export type ReplayPlan = RouterOutputs["replays"]["plan"];
export type PlanStep = Extract<ReplayPlan, { mode: "workflow" }>["steps"][number];
export type LlmSpanPlan = Extract<ReplayPlan, { mode: "span" }>["spans"][number];
export type ReplayResult = RouterOutputs["replays"]["get"];
export type ReplayInfo = ReplayResult["replay"];
export type StepComparison = ReplayResult["steps"][number];
export type StepSnapshot = NonNullable<StepComparison["replay"]>;
export type ForkNode = RouterOutputs["replays"]["forks"][number];
type StreamMessage = RouterOutputs["replays"]["stream"] extends AsyncIterable<infer M> ? M : never;
export type ReplayEvent = StreamMessage["data"];

type RunInput = { orgId: string; runId: string };
type ReplayInput = { orgId: string; replayId: string };

export const usePlan = (input: RunInput) => trpc.replays.plan.useQuery(input, { staleTime: 30_000 });

export const useForks = (input: RunInput | SkipToken) =>
  trpc.replays.forks.useQuery(input, { staleTime: 5_000, refetchOnWindowFocus: true });

export const useReplayResult = (input: ReplayInput | SkipToken) =>
  trpc.replays.get.useQuery(input, { staleTime: Infinity, refetchOnWindowFocus: false });

export const useReplayStream = trpc.replays.stream.useSubscription;

/** Asks for a stream token, then starts the replay with it: the seed's two-call handshake as one action. */
export function useStartReplay() {
  const token = trpc.replays.token.useMutation();
  const start = trpc.replays.start.useMutation();
  const run = async (orgId: string, request: ReplayRequestInput) => {
    const { token: t } = await token.mutateAsync({ orgId, runId: request.runId });
    const { replayId } = await start.mutateAsync({ orgId, token: t, request });
    return replayId;
  };
  return { run, pending: token.isPending || start.isPending };
}

export const useInvalidateForks = () => {
  const utils = trpc.useUtils();
  return useCallback(() => void utils.replays.forks.invalidate(), [utils]);
};

/** Renames a variant; its comparison and the fork tree show the new name. */
export function useRenameVariant() {
  const utils = trpc.useUtils();
  return trpc.replays.rename.useMutation({
    onSuccess: () => {
      void utils.replays.forks.invalidate();
      void utils.replays.get.invalidate();
    },
  });
}
