import type { AppDeps } from "../../deps.ts";
import { signUp, userCount } from "../auth/service.ts";

export const DEMO_LOGIN = { email: "demo@echos.dev", password: "echos-demo" } as const;

/** Development only: an empty installation gets a demo account, so the dashboard can be opened at once. */
export async function seedDevelopment(deps: Pick<AppDeps, "database" | "store" | "log" | "config">): Promise<void> {
  if ((await userCount(deps)) > 0) return;
  await signUp(deps, { ...DEMO_LOGIN, name: "Demo" }, {});
  deps.log.info(
    `Demo login created — open ${deps.config.publicUrl} and sign in as ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}`,
  );
}
