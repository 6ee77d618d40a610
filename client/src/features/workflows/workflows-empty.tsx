import { GitFork, ListTree, Play, Workflow } from "lucide-react";
import { EmptyState } from "../../components/empty-state.tsx";

const STEPS = [
  { icon: ListTree, title: "Define", text: "Describe your agent as declarative steps: LLM calls, tools, branches." },
  { icon: Play, title: "Run", text: "Run it with EchosRuntime; each version registers itself here." },
  { icon: GitFork, title: "Replay", text: "Change any step's prompt, model or arguments and press Test fix." },
] as const;

/** What an organisation without workflows sees: how one comes to be listed here. */
export function WorkflowsEmpty() {
  return (
    <EmptyState
      icon={Workflow}
      title="No workflows registered"
      description="Workflows appear here when an agent defined as an Echos workflow runs for the first time. Their runs are fully replayable on the server."
    >
      <ol className="grid gap-3 text-left sm:grid-cols-3">
        {STEPS.map(({ icon: Icon, title, text }, i) => (
          <li
            key={title}
            className="rounded-lg border border-zinc-200 bg-zinc-50/60 p-4 dark:border-zinc-800 dark:bg-zinc-900"
          >
            <div className="flex items-center gap-2 text-sm font-medium text-zinc-900 dark:text-zinc-100">
              <Icon aria-hidden="true" className="size-4 text-indigo-600 dark:text-indigo-400" />
              {i + 1}. {title}
            </div>
            <p className="mt-1.5 text-xs leading-5 text-zinc-600 dark:text-zinc-400">{text}</p>
          </li>
        ))}
      </ol>
    </EmptyState>
  );
}
