import { KeyRound, Plus } from "lucide-react";
import { useState } from "react";
import { hasRole } from "@shared/roles.ts";
import { Button } from "../../../components/button.tsx";
import { EmptyState } from "../../../components/empty-state.tsx";
import { SectionHeading } from "../../../components/panel.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { trpc } from "../../../lib/trpc.ts";
import { useCurrentOrg } from "../../session/use-current-org.ts";
import { LoadError } from "../admin-only.tsx";
import { ApiKeysTable } from "./api-keys-table.tsx";
import { CreateKeyForm, type CreatedKey } from "./create-key-form.tsx";
import { NewKeyPanel } from "./new-key-panel.tsx";

export default function ApiKeysSection() {
  const { org } = useCurrentOrg();
  const keys = trpc.apiKeys.list.useQuery({ orgId: org.id });
  const [creating, setCreating] = useState(false);
  // The one copy of a new key's secret in the browser: dropped by "Done", never cached or stored.
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const canCreate = hasRole(org.role, "member");

  return (
    <div className="space-y-6">
      <SectionHeading
        title="API keys"
        description="Keys let your agents, the SDK and OpenTelemetry exporters send runs to this organisation."
        actions={
          canCreate &&
          !creating &&
          !created && (
            <Button variant="primary" onClick={() => setCreating(true)} data-testid="create-key-button">
              <Plus aria-hidden="true" className="size-4" />
              Create API key
            </Button>
          )
        }
      />
      {created && <NewKeyPanel created={created} onDone={() => setCreated(null)} />}
      {creating && (
        <CreateKeyForm
          orgId={org.id}
          allowFull={hasRole(org.role, "admin")}
          onCancel={() => setCreating(false)}
          onCreated={(key) => {
            setCreating(false);
            setCreated(key);
          }}
        />
      )}
      {keys.isError ? (
        <LoadError what="API keys" message={errorMessage(keys.error)} />
      ) : !keys.data ? (
        <div className="h-32 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
      ) : keys.data.length === 0 ? (
        !creating &&
        !created && (
          <EmptyState
            icon={KeyRound}
            title="No API keys yet"
            description="Create a key, then set it as ECHOS_API_KEY where your agent runs. A new key is shown once when you create it; give it an expiry and revoke it at any time."
          />
        )
      ) : (
        <ApiKeysTable keys={keys.data} orgId={org.id} canRevoke={hasRole(org.role, "admin")} />
      )}
    </div>
  );
}
