import type { AppDeps } from "../../deps.ts";
import type { RuntimeCheck } from "./queries.ts";

/** Whether a runtime connected for this organisation offers a tool. */
export function hasRuntimeFor(_deps: Pick<AppDeps, "store">, _orgId: string): RuntimeCheck {
  return async () => false;
}
