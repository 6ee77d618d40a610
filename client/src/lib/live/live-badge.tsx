import { StatusBadge, type Tone } from "../../components/status-badge.tsx";
import type { LiveConnection, LiveState } from "./live-connection.ts";

const LABELS: Record<LiveState, { tone: Tone; text: string; title: string }> = {
  live: { tone: "success", text: "Live", title: "Receiving changes as they happen" },
  connecting: { tone: "neutral", text: "Connecting…", title: "Connecting to the live stream" },
  reconnecting: { tone: "warning", text: "Reconnecting…", title: "Live updates interrupted; retrying" },
  offline: { tone: "danger", text: "Offline", title: "No network connection; live updates resume when it returns" },
};

/** Whether a view's live stream is delivering; `data-state` is what browser tests read. */
export function LiveBadge({ connection, testId }: { connection: LiveConnection; testId: string }) {
  const { tone, text, title } = LABELS[connection.state];
  return (
    <StatusBadge
      tone={tone}
      pulse={connection.state === "live"}
      size="md"
      data-testid={testId}
      data-state={connection.state}
      title={connection.error ? `${title} (${connection.error})` : title}
    >
      {text}
    </StatusBadge>
  );
}
