import { clsx } from "clsx";
import { ConfirmButton } from "../../../components/confirm-button.tsx";
import { DataTable, EmptyRow, TD } from "../../../components/data-table.tsx";
import { SectionHeading } from "../../../components/panel.tsx";
import { RoleBadge } from "../../../components/role-badge.tsx";
import { Alert } from "../../../components/alert.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { formatDate, formatDateTime } from "../../../lib/format.ts";
import { trpc } from "../../../lib/trpc.ts";

export function PendingInvites({ orgId }: { orgId: string }) {
  const utils = trpc.useUtils();
  const invites = trpc.orgs.invites.useQuery({ orgId });
  const revoke = trpc.orgs.revokeInvite.useMutation({ onSuccess: () => utils.orgs.invites.invalidate({ orgId }) });

  return (
    <section>
      <SectionHeading title="Pending invitations" description="Sent, not yet accepted and not expired." />
      <Alert className="mb-3">{errorMessage(invites.error ?? revoke.error)}</Alert>
      {!invites.data ? (
        !invites.isError && <div className="h-20 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
      ) : invites.data.length === 0 ? (
        <EmptyRow>No pending invitations.</EmptyRow>
      ) : (
        <DataTable stacked columns={["Email", "Role", "Sent", "Expires", ""]} data-testid="invites-table">
          {invites.data.map((invite) => (
            <tr key={invite.id} data-testid="invite-row" data-invite-email={invite.email}>
              <td className={clsx(TD, "font-medium text-zinc-900 dark:text-zinc-100")}>{invite.email}</td>
              <td data-label="Role" className={TD}>
                <RoleBadge role={invite.role} />
              </td>
              <td data-label="Sent" className={TD} title={formatDateTime(invite.createdAt)}>
                {formatDate(invite.createdAt)}
              </td>
              <td data-label="Expires" className={TD} title={formatDateTime(invite.expiresAt)}>
                {formatDate(invite.expiresAt)}
              </td>
              <td className={clsx(TD, "text-right")}>
                <ConfirmButton
                  label="Revoke"
                  question="Revoke invitation?"
                  pending={revoke.isPending && revoke.variables?.inviteId === invite.id}
                  onConfirm={() => revoke.mutate({ orgId, inviteId: invite.id })}
                  testId="revoke-invite-button"
                  confirmTestId="confirm-revoke-invite"
                />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
