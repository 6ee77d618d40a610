import { clsx } from "clsx";
import { ConfirmButton } from "../../../components/confirm-button.tsx";
import { TD } from "../../../components/data-table.tsx";
import { StatusBadge } from "../../../components/status-badge.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { formatAgo, formatDate, formatDateTime } from "../../../lib/format.ts";
import { trpc } from "../../../lib/trpc.ts";
import type { ApiKey } from "./api-keys-table.tsx";

const SCOPE_BADGE = {
  ingest: "bg-zinc-100 text-zinc-700 ring-zinc-500/20 dark:bg-zinc-400/10 dark:text-zinc-300 dark:ring-zinc-400/20",
  full: "bg-amber-50 text-amber-800 ring-amber-600/25 dark:bg-amber-400/10 dark:text-amber-300 dark:ring-amber-400/20",
} as const;

interface KeyRowProps {
  apiKey: ApiKey;
  orgId: string;
  canRevoke: boolean;
  now: number;
}

export function KeyRow({ apiKey, orgId, canRevoke, now }: KeyRowProps) {
  const utils = trpc.useUtils();
  const revoke = trpc.apiKeys.revoke.useMutation({ onSuccess: () => utils.apiKeys.list.invalidate({ orgId }) });
  const revoked = apiKey.revokedAt !== null;
  const expired = apiKey.expiresAt !== null && Date.parse(apiKey.expiresAt) <= now;
  const muted = revoked || expired;

  return (
    <tr
      data-testid="key-row"
      data-key-name={apiKey.name}
      className={clsx(muted && "bg-zinc-50/60 dark:bg-zinc-900/60")}
    >
      <td className={clsx(TD, "font-medium", muted ? "text-zinc-500" : "text-zinc-900 dark:text-zinc-100")}>
        {apiKey.name}
      </td>
      <td data-label="Key" className={TD}>
        <code className="font-mono text-[13px] text-zinc-600 dark:text-zinc-400">{apiKey.prefix}…</code>
      </td>
      <td data-label="Scope" className={TD}>
        <span
          className={clsx(
            "rounded-md px-1.5 py-0.5 text-[11px] font-medium ring-1 ring-inset",
            SCOPE_BADGE[apiKey.scope],
          )}
        >
          {apiKey.scope}
        </span>
      </td>
      <td data-label="Created" className={TD} title={formatDateTime(apiKey.createdAt)}>
        {formatDate(apiKey.createdAt)}
      </td>
      <td
        data-label="Expires"
        className={clsx(TD, expired && "font-medium text-rose-600 dark:text-rose-400")}
        title={apiKey.expiresAt ? formatDateTime(apiKey.expiresAt) : undefined}
      >
        {apiKey.expiresAt ? formatDate(apiKey.expiresAt) : "never"}
      </td>
      <td
        data-label="Last used"
        className={TD}
        title={apiKey.lastUsedAt ? formatDateTime(apiKey.lastUsedAt) : undefined}
      >
        {apiKey.lastUsedAt ? formatAgo(Date.parse(apiKey.lastUsedAt), now) : "never"}
      </td>
      <td data-label="Status" className={TD}>
        {revoked ? (
          <StatusBadge tone="neutral">Revoked</StatusBadge>
        ) : expired ? (
          <StatusBadge tone="danger">Expired</StatusBadge>
        ) : (
          <StatusBadge tone="success">Active</StatusBadge>
        )}
      </td>
      <td className={clsx(TD, "text-right")}>
        {canRevoke && !revoked && (
          <ConfirmButton
            label="Revoke"
            question="Revoke this key?"
            onConfirm={() => revoke.mutate({ orgId, keyId: apiKey.id })}
            pending={revoke.isPending}
            testId="revoke-key-button"
            confirmTestId="confirm-revoke"
          />
        )}
        {revoke.error && <p className="mt-1 text-xs text-rose-600 dark:text-rose-400">{errorMessage(revoke.error)}</p>}
      </td>
    </tr>
  );
}
