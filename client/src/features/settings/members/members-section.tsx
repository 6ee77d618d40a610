import { hasRole } from "@shared/roles.ts";
import { SectionHeading } from "../../../components/panel.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { trpc } from "../../../lib/trpc.ts";
import { useCurrentOrg } from "../../session/use-current-org.ts";
import { LoadError } from "../admin-only.tsx";
import { InviteForm } from "./invite-form.tsx";
import { MembersTable } from "./members-table.tsx";
import { OrgNameForm } from "./org-name-form.tsx";
import { PendingInvites } from "./pending-invites.tsx";
import { SampleDataPanel } from "./sample-data-panel.tsx";

export default function MembersSection() {
  const { org, user } = useCurrentOrg();
  const members = trpc.orgs.members.useQuery({ orgId: org.id });
  const isAdmin = hasRole(org.role, "admin");

  return (
    <div className="space-y-8">
      {org.role === "owner" && <OrgNameForm orgId={org.id} name={org.name} />}
      <section>
        <SectionHeading
          title="Members"
          description={
            isAdmin
              ? "Everyone in this organisation. Admins manage members and keys; owners also manage the organisation."
              : "Everyone in this organisation. Ask an admin to invite someone or change a role."
          }
        />
        {members.isError ? (
          <LoadError what="members" message={errorMessage(members.error)} />
        ) : !members.data ? (
          <div className="h-32 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
        ) : (
          <MembersTable members={members.data} orgId={org.id} myRole={org.role} myUserId={user.id} />
        )}
      </section>
      {isAdmin && (
        <>
          <InviteForm orgId={org.id} canInviteOwner={org.role === "owner"} />
          <PendingInvites orgId={org.id} />
          <SampleDataPanel orgId={org.id} />
        </>
      )}
    </div>
  );
}
