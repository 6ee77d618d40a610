import { useMemo } from "react";
import { Navigate, Outlet, useLocation } from "react-router";
import { loginPathFor } from "../../lib/safe-next.ts";
import { trpc } from "../../lib/trpc.ts";
import { CurrentOrgContext, pickCurrentOrg, type CurrentOrg } from "./current-org-context.ts";
import { SessionLoading } from "./full-screen.tsx";
import { NoOrgScreen } from "./no-org-screen.tsx";
import { SessionError } from "./session-error.tsx";

/** The gate in front of every signed-in page: a session, and an organisation to show, or a way to get them. */
export function RequireSession() {
  const me = trpc.auth.me.useQuery();
  const location = useLocation();
  const data = me.data;

  const current = useMemo<CurrentOrg | null>(() => {
    if (!data) return null;
    const org = pickCurrentOrg(data);
    return org ? { org: { id: org.id, name: org.name, role: org.role }, user: data.user, orgs: data.orgs } : null;
  }, [data]);

  if (data === undefined) {
    return me.isError ? <SessionError error={me.error} onRetry={() => void me.refetch()} /> : <SessionLoading />;
  }
  if (data === null) {
    return <Navigate to={loginPathFor(location.pathname + location.search)} replace />;
  }
  if (!current) return <NoOrgScreen email={data.user.email} />;
  return (
    <CurrentOrgContext value={current}>
      <Outlet />
    </CurrentOrgContext>
  );
}
