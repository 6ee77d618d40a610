import { clsx } from "clsx";
import { Alert } from "../../../components/alert.tsx";
import { ConfirmButton } from "../../../components/confirm-button.tsx";
import { DataTable, TD } from "../../../components/data-table.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { formatAgo, formatDateTime } from "../../../lib/format.ts";
import { trpc, type RouterOutputs } from "../../../lib/trpc.ts";
import { useNow } from "../../../lib/use-now.ts";

type Credential = RouterOutputs["credentials"]["list"][number];

export function CredentialsTable({ credentials, orgId }: { credentials: readonly Credential[]; orgId: string }) {
  const utils = trpc.useUtils();
  const now = useNow(30_000);
  const remove = trpc.credentials.delete.useMutation({ onSuccess: () => utils.credentials.list.invalidate({ orgId }) });

  return (
    <div className="space-y-3">
      <Alert>{errorMessage(remove.error)}</Alert>
      <DataTable columns={["Name", "Provider", "Base URL", "Key", "Updated", ""]} data-testid="credentials-table">
        {credentials.map((c) => (
          <tr key={c.id} data-testid="credential-row" data-credential-name={c.name}>
            <td className={clsx(TD, "font-mono text-[13px] font-medium text-zinc-900 dark:text-zinc-100")}>{c.name}</td>
            <td className={TD}>{c.provider}</td>
            <td className={clsx(TD, "max-w-64 truncate")} title={c.baseUrl}>
              {c.baseUrl}
            </td>
            <td className={clsx(TD, "font-mono text-[13px]")}>{c.masked}</td>
            <td className={TD} title={formatDateTime(c.updatedAt)}>
              {formatAgo(Date.parse(c.updatedAt), now)}
            </td>
            <td className={clsx(TD, "text-right")}>
              <ConfirmButton
                label="Delete"
                question={`Delete ${c.name}?`}
                pending={remove.isPending && remove.variables?.id === c.id}
                onConfirm={() => remove.mutate({ orgId, id: c.id })}
                testId="delete-credential-button"
                confirmTestId="confirm-delete-credential"
              />
            </td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}
