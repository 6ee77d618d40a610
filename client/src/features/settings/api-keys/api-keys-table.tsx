import { DataTable } from "../../../components/data-table.tsx";
import type { RouterOutputs } from "../../../lib/trpc.ts";
import { useNow } from "../../../lib/use-now.ts";
import { KeyRow } from "./key-row.tsx";

export type ApiKey = RouterOutputs["apiKeys"]["list"][number];

const COLUMNS = ["Name", "Key", "Scope", "Created", "Expires", "Last used", "Status", ""] as const;

export function ApiKeysTable({
  keys,
  orgId,
  canRevoke,
}: {
  keys: readonly ApiKey[];
  orgId: string;
  canRevoke: boolean;
}) {
  const now = useNow(30_000);
  return (
    <DataTable stacked columns={COLUMNS} data-testid="keys-table">
      {keys.map((key) => (
        <KeyRow key={key.id} apiKey={key} orgId={orgId} canRevoke={canRevoke} now={now} />
      ))}
    </DataTable>
  );
}
