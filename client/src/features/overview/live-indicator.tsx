import { StatusBadge, type Tone } from "../../components/status-badge.tsx";
import type { RunsLiveConnection } from "../../lib/use-runs-live.ts";

const LABELS: Record<RunsLiveConnection, { tone: Tone; text: string; title: string }> = {
  live: { tone: "success", text: "Live", title: "Updates as runs arrive" },
  connecting: { tone: "neutral", text: "Connecting…", title: "Connecting to the live stream" },
  error: { tone: "danger", text: "Reconnecting…", title: "Live updates interrupted; retrying" },
};

/** Whether a page's `runs.live` stream is delivering; `data-state` is what browser tests read. */
export function LiveIndicator({ connection, testId }: { connection: RunsLiveConnection; testId: string }) {
  const { tone, text, title } = LABELS[connection];
  return (
    <StatusBadge tone={tone} pulse={connection === "live"} data-testid={testId} data-state={connection} title={title}>
      {text}
    </StatusBadge>
  );
}
