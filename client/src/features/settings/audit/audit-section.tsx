import { hasRole } from "@shared/roles.ts";
import { Button } from "../../../components/button.tsx";
import { EmptyRow } from "../../../components/data-table.tsx";
import { SectionHeading } from "../../../components/panel.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { trpc } from "../../../lib/trpc.ts";
import { useCurrentOrg } from "../../session/use-current-org.ts";
import { AdminOnly, LoadError } from "../admin-only.tsx";
import { AuditTable } from "./audit-table.tsx";

const PAGE_SIZE = 50;

function AuditLog({ orgId }: { orgId: string }) {
  const log = trpc.audit.list.useInfiniteQuery(
    { orgId, limit: PAGE_SIZE },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  // Role changes and removals name a user id; show their e-mail while they are still a member.
  const members = trpc.orgs.members.useQuery({ orgId });
  const emails = new Map(members.data?.map((m) => [m.userId, m.email]));
  const entries = log.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section>
      <SectionHeading title="Audit log" description="Who did what in this organisation, newest first." />
      {log.isError ? (
        <LoadError what="the audit log" message={errorMessage(log.error)} />
      ) : !log.data ? (
        <div className="h-48 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
      ) : entries.length === 0 ? (
        <EmptyRow>Nothing recorded yet.</EmptyRow>
      ) : (
        <>
          <AuditTable entries={entries} emails={emails} />
          <div className="mt-4 flex justify-center">
            {log.hasNextPage ? (
              <Button
                onClick={() => void log.fetchNextPage()}
                pending={log.isFetchingNextPage}
                data-testid="audit-load-more"
              >
                Load more
              </Button>
            ) : (
              <p className="text-xs text-zinc-500 dark:text-zinc-400">The beginning of the log.</p>
            )}
          </div>
        </>
      )}
    </section>
  );
}

export default function AuditSection() {
  const { org } = useCurrentOrg();
  if (!hasRole(org.role, "admin")) {
    return <AdminOnly>Admins and owners can read the audit log of {org.name}.</AdminOnly>;
  }
  return <AuditLog orgId={org.id} />;
}
