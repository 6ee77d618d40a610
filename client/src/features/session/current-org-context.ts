import { createContext } from "react";
import type { Role } from "@shared/roles.ts";
import type { RouterOutputs } from "../../lib/trpc.ts";

export type Me = NonNullable<RouterOutputs["auth"]["me"]>;
export type MeOrg = Me["orgs"][number];

export interface CurrentOrg {
  org: { id: string; name: string; role: Role };
  user: Me["user"];
  /** Every organisation the user belongs to, for the switcher. */
  orgs: readonly MeOrg[];
}

export const CurrentOrgContext = createContext<CurrentOrg | null>(null);

/** The session's active organisation when the user still belongs to it, otherwise their first one. */
export function pickCurrentOrg(me: Me): MeOrg | undefined {
  return me.orgs.find((o) => o.id === me.activeOrgId) ?? me.orgs[0];
}
