import type { RuntimeConnection } from "../../../sdk/connection.ts";
import { EchosRuntime } from "../../../sdk/runtime.ts";
import type { AppDeps } from "../../deps.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "../api-keys/service.ts";
import { requireRole } from "../orgs/service.ts";
import { findDemoOrg } from "./seed.ts";
import { demoTools } from "./demo-tools.ts";

const KEY_NAME = "Demo tools runtime (development)";

/**
 * Development only: the demo agents' tools, connected as a runtime of the demo organisation, so Test fix on a demo
 * run can run its tool steps live — as a team's own worker process would. Its key is replaced on every start.
 */
export async function connectDemoRuntime(
  deps: Pick<AppDeps, "database" | "store" | "log">,
  apiUrl: string,
): Promise<RuntimeConnection | null> {
  try {
    const demo = await findDemoOrg(deps);
    if (!demo) return null;
    for (const key of await listApiKeys(deps, demo.orgId))
      if (key.name === KEY_NAME && !key.revokedAt) await revokeApiKey(deps, demo.actor, demo.orgId, key.id);
    const role = await requireRole(deps, demo.orgId, demo.actor.userId, "owner");
    const { key } = await createApiKey(deps, { ...demo.actor, role }, demo.orgId, { name: KEY_NAME, scope: "full" });
    const runtime = new EchosRuntime({ apiKey: key, apiUrl, tools: demoTools, onError: () => {} });
    return await runtime.connect({ name: "demo-tools" });
  } catch (error) {
    deps.log.warn("Demo tools runtime not connected; replays of demo tool steps will say so", { error });
    return null;
  }
}
