import { MessagesSquare } from "lucide-react";
import { CodeBlock } from "../../components/code-block.tsx";
import { EmptyState } from "../../components/empty-state.tsx";

const CODE = "rounded bg-zinc-100 px-1 py-0.5 font-mono text-[12px] text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200";

const SNIPPET = [
  'import { trace } from "echos/sdk";',
  "",
  "// Runs with the same conversationId form one conversation.",
  'await trace("support-chat", () => reply(message), {',
  "  conversationId: chat.id,",
  "});",
  "",
  "// Workflows run by the Echos runtime take it too.",
  "await runtime.run(workflow, input, { conversationId: chat.id });",
].join("\n");

/** What the Conversations page shows before any run carried a conversation id: how to send one. */
export function ConversationsEmpty() {
  return (
    <EmptyState
      icon={MessagesSquare}
      title="No conversations yet"
      description={
        <>
          Runs that share a conversation id form a conversation: Echos reads the LLM calls of its runs as one
          transcript, turn by turn, and writes a summary of it. Pass the same{" "}
          <code className={CODE}>conversationId</code> with each run of a chat.
        </>
      }
    >
      <div className="space-y-4 text-left">
        <CodeBlock code={SNIPPET} label="TypeScript" />
        <ul className="list-disc space-y-1.5 pl-5 text-sm text-zinc-600 marker:text-zinc-400 dark:text-zinc-400 dark:marker:text-zinc-600">
          <li>
            Over REST, set <code className={CODE}>conversationId</code> on each run you send to{" "}
            <code className={CODE}>POST /api/v1/ingest</code>.
          </li>
          <li>
            With OpenTelemetry, set <code className={CODE}>gen_ai.conversation.id</code> on your spans.
          </li>
          <li>
            The transcript comes from the runs’ <code className={CODE}>llm</code> spans: their input{" "}
            <code className={CODE}>messages</code> and their output.
          </li>
        </ul>
      </div>
    </EmptyState>
  );
}
