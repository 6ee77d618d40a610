import { LogOut } from "lucide-react";
import { Button } from "../../components/button.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { SectionHeading } from "../../components/panel.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { trpc } from "../../lib/trpc.ts";
import { useCurrentOrg } from "../session/use-current-org.ts";
import { useSignOut } from "../session/use-sign-out.ts";
import { SessionsTable } from "./sessions-table.tsx";

export default function AccountPage() {
  const { user } = useCurrentOrg();
  const sessions = trpc.auth.sessions.useQuery();
  const { signOut, pending } = useSignOut();

  return (
    <>
      <PageHeader
        title="Account"
        description={
          <>
            Signed in as <span className="font-medium text-zinc-900 dark:text-zinc-100">{user.email}</span>
          </>
        }
        actions={
          <Button onClick={signOut} pending={pending} data-testid="account-sign-out">
            <LogOut aria-hidden="true" className="size-4" />
            Sign out
          </Button>
        }
      />
      <SectionHeading
        title="Sessions"
        description="Browsers signed in to your account. Revoke any you do not recognise; it is signed out at once."
      />
      {sessions.isError ? (
        <p role="alert" className="text-sm text-rose-600 dark:text-rose-400">
          Could not load sessions: {errorMessage(sessions.error)}
        </p>
      ) : !sessions.data ? (
        <div className="h-32 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
      ) : (
        <SessionsTable sessions={sessions.data} />
      )}
    </>
  );
}
