import type { WorkflowDefinition, WorkflowStep } from "@shared/workflow/define.ts";
import { Alert } from "../../components/alert.tsx";
import { JsonViewer } from "../../components/json-viewer/json-viewer.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { trpc } from "../../lib/trpc.ts";

/** What a step does, in a few words: the model it calls, the tool, the request, or code. */
export function stepSummary(step: WorkflowStep): { what: string; sideEffect: boolean } {
  switch (step.type) {
    case "llm":
      return { what: step.model, sideEffect: false };
    case "tool":
      return { what: step.tool, sideEffect: Boolean(step.sideEffects) };
    case "http":
      return { what: `${step.method} ${step.url}`, sideEffect: step.method !== "GET" && step.method !== "HEAD" };
    case "code":
      return { what: "code", sideEffect: false };
  }
}

const isDefinition = (value: unknown): value is WorkflowDefinition =>
  typeof value === "object" && value !== null && Array.isArray((value as { steps?: unknown }).steps);

/** A registered version's steps in order, readable at a glance, with the whole definition as JSON below. */
export function VersionDefinition({ orgId, versionId }: { orgId: string; versionId: string }) {
  const version = trpc.workflows.version.useQuery({ orgId, id: versionId }, { staleTime: Infinity });
  if (version.error) return <Alert>Could not load the definition: {errorMessage(version.error)}</Alert>;
  if (!version.data) return <div className="h-24 animate-pulse rounded-md bg-zinc-100 dark:bg-zinc-800/60" />;
  const { definition } = version.data;
  return (
    <div className="space-y-3" data-testid="workflow-definition">
      {isDefinition(definition) && (
        <ol className="space-y-1.5" aria-label="Steps">
          {definition.steps.map((step, i) => {
            const { what, sideEffect } = stepSummary(step);
            return (
              <li
                key={step.id}
                data-testid="workflow-step"
                className="flex min-w-0 items-baseline gap-2 rounded-md bg-zinc-50 px-3 py-1.5 text-sm dark:bg-zinc-800/60"
              >
                <span className="w-5 shrink-0 text-right text-xs text-zinc-500 tabular-nums dark:text-zinc-400">
                  {i + 1}.
                </span>
                <span className="font-medium text-zinc-900 dark:text-zinc-100">{step.id}</span>
                <span className="shrink-0 rounded bg-zinc-200/70 px-1.5 text-xs text-zinc-700 dark:bg-zinc-700 dark:text-zinc-200">
                  {step.type}
                </span>
                <span className="min-w-0 truncate text-xs text-zinc-600 dark:text-zinc-400" title={what}>
                  {what}
                </span>
                {sideEffect && (
                  <span className="ml-auto shrink-0 text-xs font-medium text-amber-800 dark:text-amber-300">
                    side effect
                  </span>
                )}
              </li>
            );
          })}
        </ol>
      )}
      <JsonViewer value={definition} label="Definition" defaultExpandDepth={1} />
    </div>
  );
}
