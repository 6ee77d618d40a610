import { Activity } from "lucide-react";
import { EmptyState } from "../../components/empty-state.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { SetupSteps } from "../../components/setup-steps.tsx";

export default function RunsPage() {
  return (
    <>
      <PageHeader
        title="Runs"
        description="Every run of your agents, streamed live: spans, inputs, outputs, tokens, cost and errors."
      />
      <EmptyState
        icon={Activity}
        title="No runs yet"
        description="Runs appear here live as your agents send them. Create an API key in Settings, set ECHOS_API_KEY and ECHOS_API_URL, and run your agent."
      >
        <SetupSteps />
      </EmptyState>
    </>
  );
}
