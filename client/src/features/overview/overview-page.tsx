import { LayoutDashboard } from "lucide-react";
import { EmptyState } from "../../components/empty-state.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { SetupSteps } from "../../components/setup-steps.tsx";

export default function OverviewPage() {
  return (
    <>
      <PageHeader title="Overview" description="How your agents are doing at a glance." />
      <EmptyState
        icon={LayoutDashboard}
        title="Nothing to summarise yet"
        description="Once your agents send runs, this page shows run volume, error rate, latency, tokens and cost over time, and the runs that need your attention."
      >
        <SetupSteps />
      </EmptyState>
    </>
  );
}
