import { LockKeyhole, Plus } from "lucide-react";
import { useState } from "react";
import { hasRole } from "@shared/roles.ts";
import { Button } from "../../../components/button.tsx";
import { EmptyState } from "../../../components/empty-state.tsx";
import { SectionHeading } from "../../../components/panel.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { trpc } from "../../../lib/trpc.ts";
import { useCurrentOrg } from "../../session/use-current-org.ts";
import { AdminOnly, LoadError } from "../admin-only.tsx";
import { CredentialForm } from "./credential-form.tsx";
import { CredentialsTable } from "./credentials-table.tsx";

function Credentials({ orgId }: { orgId: string }) {
  const credentials = trpc.credentials.list.useQuery({ orgId });
  const [adding, setAdding] = useState(false);

  return (
    <div className="space-y-6">
      <SectionHeading
        title="Provider credentials"
        description="Keys are encrypted at rest and never shown again; saving an existing name replaces its key."
        actions={
          !adding && (
            <Button variant="primary" onClick={() => setAdding(true)} data-testid="add-credential-button">
              <Plus aria-hidden="true" className="size-4" />
              Add credential
            </Button>
          )
        }
      />
      {adding && <CredentialForm orgId={orgId} onDone={() => setAdding(false)} />}
      {credentials.isError ? (
        <LoadError what="credentials" message={errorMessage(credentials.error)} />
      ) : !credentials.data ? (
        <div className="h-32 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
      ) : credentials.data.length === 0 ? (
        !adding && (
          <EmptyState
            icon={LockKeyhole}
            title="No provider credentials"
            description="Add your LLM providers' keys so Echos can re-run steps on the server when you time-travel a run."
          />
        )
      ) : (
        <CredentialsTable credentials={credentials.data} orgId={orgId} />
      )}
    </div>
  );
}

export default function CredentialsSection() {
  const { org } = useCurrentOrg();
  if (!hasRole(org.role, "admin")) {
    return (
      <AdminOnly>
        Admins manage provider credentials: the LLM keys Echos uses to re-run steps on the server. Ask an admin of{" "}
        {org.name} to add one.
      </AdminOnly>
    );
  }
  return <Credentials orgId={org.id} />;
}
