import type { AppDeps } from "../../deps.ts";
import { listConnectedRuntimes } from "../runtimes/service.ts";
import type { RuntimeCheck } from "./queries.ts";

/** Whether a runtime connected for this organisation offers a tool (read once per plan). */
export function hasRuntimeFor(deps: Pick<AppDeps, "store">, orgId: string): RuntimeCheck {
  let runtimes: ReturnType<typeof listConnectedRuntimes> | null = null;
  return async (tool) => (await (runtimes ??= listConnectedRuntimes(deps, orgId))).some((r) => r.tools.includes(tool));
}
