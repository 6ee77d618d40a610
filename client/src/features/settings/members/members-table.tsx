import { clsx } from "clsx";
import { useState } from "react";
import type { Role } from "@shared/roles.ts";
import { hasRole } from "@shared/roles.ts";
import { Alert } from "../../../components/alert.tsx";
import { ConfirmButton } from "../../../components/confirm-button.tsx";
import { DataTable, TD } from "../../../components/data-table.tsx";
import { Select } from "../../../components/form.tsx";
import { RoleBadge } from "../../../components/role-badge.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { formatDate, formatDateTime } from "../../../lib/format.ts";
import { trpc, type RouterOutputs } from "../../../lib/trpc.ts";
import { RoleChangeDialog, type RoleChange } from "./role-change-dialog.tsx";
import { ROLE_OPTIONS } from "./role-options.ts";

type Member = RouterOutputs["orgs"]["members"][number];

interface MembersTableProps {
  members: readonly Member[];
  orgId: string;
  myRole: Role;
  myUserId: string;
}

export function MembersTable({ members, orgId, myRole, myUserId }: MembersTableProps) {
  const utils = trpc.useUtils();
  const refresh = () => Promise.all([utils.orgs.members.invalidate({ orgId }), utils.auth.me.invalidate()]);
  const [asking, setAsking] = useState<RoleChange | null>(null);
  const changeRole = trpc.orgs.changeRole.useMutation({
    onSuccess: async () => {
      setAsking(null);
      await refresh();
    },
  });
  const remove = trpc.orgs.removeMember.useMutation({ onSuccess: refresh });
  const canManage = hasRole(myRole, "admin");
  // Admins manage everyone below owner; only owners touch ownership.
  const editable = (m: Member) => canManage && (myRole === "owner" || m.role !== "owner");

  return (
    <div className="space-y-3">
      <Alert>{errorMessage(remove.error)}</Alert>
      <RoleChangeDialog
        change={asking}
        pending={changeRole.isPending}
        error={errorMessage(changeRole.error) || null}
        onConfirm={({ userId, to }) => changeRole.mutate({ orgId, userId, role: to })}
        onCancel={() => {
          setAsking(null);
          changeRole.reset();
        }}
      />
      <DataTable
        stacked
        columns={canManage ? ["Name", "Email", "Role", "Joined", ""] : ["Name", "Email", "Role", "Joined"]}
        data-testid="members-table"
      >
        {members.map((m) => (
          <tr key={m.userId} data-testid="member-row" data-member-email={m.email}>
            <td className={clsx(TD, "font-medium text-zinc-900 dark:text-zinc-100")}>
              {m.name}
              {m.userId === myUserId && (
                <span className="ml-2 rounded bg-indigo-50 px-1.5 py-0.5 text-[11px] font-medium text-indigo-700 dark:bg-indigo-500/10 dark:text-indigo-300">
                  you
                </span>
              )}
            </td>
            <td data-label="Email" className={TD}>
              {m.email}
            </td>
            <td data-label="Role" className={TD}>
              {editable(m) ? (
                <Select
                  aria-label={`Role of ${m.email}`}
                  value={m.role}
                  disabled={changeRole.isPending}
                  onChange={(e) =>
                    setAsking({
                      userId: m.userId,
                      name: m.name,
                      email: m.email,
                      from: m.role,
                      to: e.target.value as Role,
                      self: m.userId === myUserId,
                    })
                  }
                  width="w-32"
                  data-testid="member-role-select"
                >
                  {ROLE_OPTIONS.map((o) => (
                    <option key={o.value} value={o.value} disabled={o.value === "owner" && myRole !== "owner"}>
                      {o.label}
                    </option>
                  ))}
                </Select>
              ) : (
                <RoleBadge role={m.role} />
              )}
            </td>
            <td data-label="Joined" className={TD} title={formatDateTime(m.joinedAt)}>
              {formatDate(m.joinedAt)}
            </td>
            {canManage && (
              <td className={clsx(TD, "text-right")}>
                {editable(m) && m.userId !== myUserId && (
                  <ConfirmButton
                    label="Remove"
                    question={`Remove ${m.name}?`}
                    pending={remove.isPending && remove.variables?.userId === m.userId}
                    onConfirm={() => remove.mutate({ orgId, userId: m.userId })}
                    testId="remove-member-button"
                    confirmTestId="confirm-remove-member"
                  />
                )}
              </td>
            )}
          </tr>
        ))}
      </DataTable>
    </div>
  );
}
