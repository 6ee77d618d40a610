import { Alert } from "../../components/alert.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { trpc } from "../../lib/trpc.ts";
import { useCurrentOrg } from "../session/use-current-org.ts";
import { WorkflowCard } from "./workflow-card.tsx";
import { WorkflowsEmpty } from "./workflows-empty.tsx";

export default function WorkflowsPage() {
  const { org } = useCurrentOrg();
  const list = trpc.workflows.list.useQuery({ orgId: org.id });
  const workflows = list.data?.workflows;

  return (
    <>
      <PageHeader
        title="Workflows"
        description="Versioned agent definitions that Echos can replay from any step. Counts are of production runs; replays are left out."
      />
      <Alert>{errorMessage(list.error)}</Alert>
      {!workflows ? (
        !list.error && (
          <div className="animate-pulse space-y-4">
            {Array.from({ length: 3 }, (_, i) => (
              <div key={i} className="h-40 rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
            ))}
          </div>
        )
      ) : workflows.length === 0 ? (
        <WorkflowsEmpty />
      ) : (
        <ul className="space-y-4" data-testid="workflows">
          {workflows.map((workflow) => (
            <li key={workflow.name}>
              <WorkflowCard orgId={org.id} workflow={workflow} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
