import { StatusBadge, type Tone } from "../../components/status-badge.tsx";
import type { LiveConnection } from "./live-status-context.ts";

const LABELS: Record<LiveConnection, { tone: Tone; text: string }> = {
  live: { tone: "success", text: "Live" },
  connecting: { tone: "neutral", text: "Connecting…" },
  error: { tone: "danger", text: "Disconnected" },
};

/** Whether the status stream is delivering; `data-state` is what browser tests read. */
export function LiveStreamBadge({ connection }: { connection: LiveConnection }) {
  const { tone, text } = LABELS[connection];
  return (
    <StatusBadge
      tone={tone}
      pulse={connection === "live"}
      size="md"
      data-testid="live-indicator"
      data-state={connection}
      title={connection === "live" ? "Receiving live updates from the server" : undefined}
    >
      {text}
    </StatusBadge>
  );
}
