import { eq } from "drizzle-orm";
import { users } from "../../../db/schema.ts";
import type { AppDeps } from "../../deps.ts";
import { signUp, userCount } from "../auth/service.ts";
import { listUserOrgs } from "../orgs/service.ts";
import { seedDemoRuns } from "./demo-runs.ts";

export const DEMO_LOGIN = { email: "demo@echos.dev", password: "echos-demo" } as const;

/** Development only: an empty installation gets a demo account, so the dashboard can be opened at once. */
export async function seedDevelopment(deps: Pick<AppDeps, "database" | "store" | "log" | "config">): Promise<void> {
  if ((await userCount(deps)) > 0) return;
  await signUp(deps, { ...DEMO_LOGIN, name: "Demo" }, {});
  deps.log.info(
    `Demo login created — open ${deps.config.publicUrl} and sign in as ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}`,
  );
}

/** The organisation the demo account owns, or null when there is no demo account. */
export async function findDemoOrg({ database }: Pick<AppDeps, "database">) {
  const [user] = await database.db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(eq(users.email, DEMO_LOGIN.email))
    .limit(1);
  if (!user) return null;
  const org = (await listUserOrgs({ database }, user.id)).find((o) => o.role === "owner");
  return org ? { orgId: org.id, actor: { userId: user.id, email: user.email } } : null;
}

/**
 * Development only, once the server is ready: a day of sample runs for the demo organisation, so every screen has
 * something to show on the first start. They are made by running the demo agents with the SDK against this
 * server's own public API (`apiUrl`). An organisation that already has runs is left alone, so restarts add
 * nothing; a failure is logged as a warning and never stops the server.
 */
export async function seedDemoData(deps: Pick<AppDeps, "database" | "store" | "log">, apiUrl: string): Promise<void> {
  try {
    const demo = await findDemoOrg(deps);
    if (!demo) return;
    const started = Date.now();
    const result = await seedDemoRuns(deps, { apiUrl, ...demo });
    if (!result) return;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    deps.log.info(
      `Demo data ready: ${result.runs} runs (${result.failed} failed) from ${result.workflows} workflows and a traced agent, in ${seconds} s`,
    );
  } catch (error) {
    deps.log.warn("Demo data not created; the demo login works without it", { error });
  }
}
