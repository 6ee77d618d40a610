import type { Tools } from "@shared/workflow/types.ts";
import type { AppDeps } from "../../deps.ts";
import { runOnConnectedRuntime } from "./service.ts";

/**
 * The workflow engine's `tools` for a run on the server: each named tool runs on one of the organisation's
 * connected runtimes, with the step's id and signal (a step timeout or a cancelled replay stops it there too).
 */
export function connectedRuntimeTools(
  deps: Pick<AppDeps, "store">,
  orgId: string,
  runId: string,
  toolNames: Iterable<string>,
  options: { timeoutMs?: number } = {},
): Tools {
  return Object.fromEntries(
    [...new Set(toolNames)].map((tool) => [
      tool,
      (args: unknown, { stepId, signal }: { stepId: string; signal: AbortSignal }) =>
        runOnConnectedRuntime(deps, orgId, { tool, args, stepId, runId }, signal, options),
    ]),
  );
}
