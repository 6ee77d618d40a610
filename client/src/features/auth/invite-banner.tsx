import { clsx } from "clsx";
import { MailOpen } from "lucide-react";
import { Alert } from "../../components/alert.tsx";
import { RoleBadge } from "../../components/role-badge.tsx";
import { errorMessage } from "../../lib/errors.ts";
import type { RouterOutputs } from "../../lib/trpc.ts";

type InviteDetails = RouterOutputs["orgs"]["inviteDetails"];

interface InviteBannerProps {
  query: { data?: InviteDetails; error: unknown; isPending: boolean };
  className?: string;
}

/** What an invitation link offers: which organisation, in which role, for which address. */
export function InviteBanner({ query, className }: InviteBannerProps) {
  if (query.error) return <Alert className={className}>{errorMessage(query.error)}</Alert>;
  const invite = query.data;
  if (!invite) {
    return <div className={clsx("h-16 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-800", className)} />;
  }
  return (
    <div
      data-testid="invite-details"
      className={clsx(
        "flex items-start gap-3 rounded-lg border border-indigo-200 bg-indigo-50/60 px-4 py-3 text-sm dark:border-indigo-500/30 dark:bg-indigo-500/10",
        className,
      )}
    >
      <MailOpen aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-indigo-600 dark:text-indigo-400" />
      <div className="min-w-0 text-zinc-700 dark:text-zinc-300">
        <p>
          {invite.invitedBy ? `${invite.invitedBy} invited you` : "You’re invited"} to join{" "}
          <strong className="font-semibold text-zinc-900 dark:text-zinc-100">{invite.orgName}</strong> as{" "}
          <RoleBadge role={invite.role} />
        </p>
        <p className="mt-1 truncate text-xs text-zinc-500 dark:text-zinc-400">Sent to {invite.email}</p>
      </div>
    </div>
  );
}
