import type { Config } from "../../config.ts";
import type { EngineOptions } from "@shared/workflow/types.ts";
import { createGuardedFetch } from "./http-guard.ts";
import { createSandbox, type SandboxOptions } from "./sandbox.ts";

/**
 * What the server passes to `runWorkflow` for steps it runs itself: http steps (and LLM calls) through the SSRF
 * guard with the operator's allow-lists, code steps in the sandbox, whose `fetch` goes through the same guard.
 */
export function serverEngineGuards(
  config: Pick<Config, "httpGuard">,
  sandbox: Omit<SandboxOptions, "fetch"> = {},
): Required<Pick<EngineOptions, "fetch" | "runCode">> {
  const fetch = createGuardedFetch(config.httpGuard);
  return { fetch, runCode: createSandbox({ ...sandbox, fetch }).run };
}
