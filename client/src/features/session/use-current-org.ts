import { use } from "react";
import { CurrentOrgContext, type CurrentOrg } from "./current-org-context.ts";

/** The signed-in user and the organisation the dashboard is showing; only inside the signed-in routes. */
export function useCurrentOrg(): CurrentOrg {
  const current = use(CurrentOrgContext);
  if (!current) throw new Error("useCurrentOrg must be used inside <RequireSession>");
  return current;
}
