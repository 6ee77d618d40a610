import { clsx } from "clsx";
import { Monitor } from "lucide-react";
import { Alert } from "../../components/alert.tsx";
import { ConfirmButton } from "../../components/confirm-button.tsx";
import { DataTable, TD } from "../../components/data-table.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { formatAgo, formatDate, formatDateTime } from "../../lib/format.ts";
import { trpc, type RouterOutputs } from "../../lib/trpc.ts";
import { useNow } from "../../lib/use-now.ts";
import { shortUserAgent } from "../../lib/user-agent.ts";

type Session = RouterOutputs["auth"]["sessions"][number];

export function SessionsTable({ sessions }: { sessions: readonly Session[] }) {
  const utils = trpc.useUtils();
  const now = useNow(30_000);
  const revoke = trpc.auth.revokeSession.useMutation({ onSuccess: () => utils.auth.sessions.invalidate() });
  // The current one first, then the most recently used.
  const sorted = [...sessions].sort(
    (a, b) => Number(b.current) - Number(a.current) || Date.parse(b.lastUsedAt) - Date.parse(a.lastUsedAt),
  );

  return (
    <div className="space-y-3">
      <Alert>{errorMessage(revoke.error)}</Alert>
      <DataTable stacked columns={["Device", "IP address", "Signed in", "Last used", ""]} data-testid="sessions-table">
        {sorted.map((s) => (
          <tr key={s.id} data-testid="session-row" data-current={s.current || undefined}>
            <td className={TD}>
              <span className="flex items-center gap-2.5">
                <Monitor aria-hidden="true" className="size-4 shrink-0 text-zinc-400" />
                <span className="font-medium text-zinc-900 dark:text-zinc-100" title={s.userAgent ?? undefined}>
                  {shortUserAgent(s.userAgent)}
                </span>
                {s.current && (
                  <span className="rounded bg-indigo-50 px-1.5 py-0.5 text-[11px] font-medium text-indigo-700 dark:bg-indigo-500/10 dark:text-indigo-300">
                    This device
                  </span>
                )}
              </span>
            </td>
            <td data-label="IP address" className={clsx(TD, "font-mono text-[13px]")}>
              {s.ip ?? "—"}
            </td>
            <td data-label="Signed in" className={TD} title={formatDateTime(s.createdAt)}>
              {formatDate(s.createdAt)}
            </td>
            <td data-label="Last used" className={TD} title={formatDateTime(s.lastUsedAt)}>
              {formatAgo(Date.parse(s.lastUsedAt), now)}
            </td>
            <td className={clsx(TD, "text-right")}>
              {!s.current && (
                <ConfirmButton
                  label="Revoke"
                  question="Sign this device out?"
                  pending={revoke.isPending && revoke.variables?.sessionId === s.id}
                  onConfirm={() => revoke.mutate({ sessionId: s.id })}
                  testId="revoke-session-button"
                  confirmTestId="confirm-revoke-session"
                />
              )}
            </td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}
