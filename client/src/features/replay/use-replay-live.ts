import { skipToken } from "@tanstack/react-query";
import { useState } from "react";
import type { ReplayedPolicy, StepType } from "@shared/schemas/replay.ts";
import type { RunStatus } from "@shared/schemas/runs.ts";
import type { LiveConnection } from "../../lib/live/live-connection.ts";
import { useLiveSubscription } from "../../lib/live/use-live-subscription.ts";
import { useReplayStream, type ReplayEvent, type StepSnapshot } from "./replay-api.ts";

export interface LiveStep {
  stepId: string;
  index: number;
  stepType: StepType;
  policy: ReplayedPolicy;
  snapshot: StepSnapshot;
  /** Text the model has streamed so far (live LLM steps, until the step ends). */
  tokens: string;
}

export interface ReplayLiveState {
  steps: LiveStep[];
  finished: { status: RunStatus; error: string | null } | null;
  /** The stream lost its backlog: what it showed is gone and the result must come from `replays.get`. */
  lost: boolean;
}

const EMPTY: ReplayLiveState = { steps: [], finished: null, lost: false };

export function applyReplayEvent(state: ReplayLiveState, event: ReplayEvent): ReplayLiveState {
  switch (event.type) {
    case "reset":
      return { ...EMPTY, lost: true };
    case "finished":
      return { ...state, finished: { status: event.status, error: event.error } };
    case "token": {
      const steps = state.steps.map((s) => (s.stepId === event.stepId ? { ...s, tokens: s.tokens + event.text } : s));
      return { ...state, steps };
    }
    case "step": {
      const existing = state.steps.find((s) => s.stepId === event.stepId);
      const next: LiveStep = {
        stepId: event.stepId,
        index: event.index,
        stepType: event.stepType,
        policy: event.policy,
        snapshot: event.snapshot,
        tokens: existing?.tokens ?? "",
      };
      const steps = existing
        ? state.steps.map((s) => (s.stepId === event.stepId ? next : s))
        : [...state.steps, next].sort((a, b) => a.index - b.index);
      return { ...state, steps };
    }
  }
}

/** Follows a replay from its first event to `finished`, resuming from the last event id after a dropped stream. */
export function useReplayLive(orgId: string, replayId: string): ReplayLiveState & { connection: LiveConnection } {
  const [state, setState] = useState<ReplayLiveState>(EMPTY);
  const enabled = state.finished === null && !state.lost;
  const connection = useLiveSubscription(
    { useSubscription: useReplayStream },
    enabled ? { orgId, replayId } : skipToken,
    { onData: (event: ReplayEvent) => setState((prev) => applyReplayEvent(prev, event)) },
  );
  return { ...state, connection };
}
