import { StatusBadge, type Tone } from "../../components/status-badge.tsx";
import type { LiveConnection } from "./use-resume.ts";

const LABELS: Record<LiveConnection, { tone: Tone; text: string; title: string }> = {
  live: { tone: "success", text: "Live", title: "Receiving changes as they happen" },
  connecting: { tone: "neutral", text: "Connecting…", title: "Connecting to the live stream" },
  error: { tone: "danger", text: "Reconnecting…", title: "Live updates interrupted; retrying" },
};

/** Whether the page's live stream is delivering; `data-state` is what browser tests read. */
export function LiveBadge({ connection, testId }: { connection: LiveConnection; testId: string }) {
  const { tone, text, title } = LABELS[connection];
  return (
    <StatusBadge
      tone={tone}
      pulse={connection === "live"}
      size="md"
      data-testid={testId}
      data-state={connection}
      title={title}
    >
      {text}
    </StatusBadge>
  );
}
