import { MessagesSquare } from "lucide-react";
import { EmptyState } from "../../components/empty-state.tsx";
import { PageHeader } from "../../components/page-header.tsx";

export default function ConversationsPage() {
  return (
    <>
      <PageHeader title="Conversations" description="Multi-turn runs read as transcripts, turn by turn." />
      <EmptyState
        icon={MessagesSquare}
        title="No conversations yet"
        description={
          <>
            Runs that share a conversation id are grouped here as one transcript, with a summary of each. Send the id
            with your runs, or set{" "}
            <code className="rounded bg-zinc-100 px-1 py-0.5 font-mono text-[12px] text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200">
              gen_ai.conversation.id
            </code>{" "}
            on your OpenTelemetry spans.
          </>
        }
      />
    </>
  );
}
