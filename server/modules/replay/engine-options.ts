import type { WorkflowDefinition } from "../../../shared/workflow/define.ts";
import { FatalStepError } from "../../../shared/workflow/errors.ts";
import { DEFAULT_CREDENTIAL } from "../../../shared/workflow/steps.ts";
import { SIM_MODEL } from "../../../shared/workflow/sim-model.ts";
import type { EngineOptions } from "../../../shared/workflow/types.ts";
import type { AppDeps } from "../../deps.ts";
import { resolveCredential } from "../credentials/service.ts";

type Deps = Pick<AppDeps, "database" | "config" | "log">;

export interface ResolvedCredential {
  apiKey: string;
  baseUrl?: string;
}

/** Credential names the workflow's LLM steps use, overrides applied (a fork may switch to another provider). */
export function credentialNames(
  definition: WorkflowDefinition,
  overrides: Record<string, Record<string, unknown>>,
): string[] {
  const names = new Set<string>();
  for (const step of definition.steps) {
    const merged = { ...step, ...overrides[step.id] } as Record<string, unknown>;
    if (merged.type !== "llm" || merged.model === SIM_MODEL) continue;
    names.add(typeof merged.credential === "string" ? merged.credential : DEFAULT_CREDENTIAL);
  }
  return [...names];
}

/**
 * Provider keys for a replay, by name: the request's `X-User-Credential-<NAME>` header first (never stored), then the
 * organisation's encrypted store. A name found in neither stays missing, and the step says which one.
 */
export async function resolveCredentials(
  deps: Deps,
  orgId: string,
  names: string[],
  fromRequest: ReadonlyMap<string, string>,
): Promise<Map<string, ResolvedCredential>> {
  const resolved = new Map<string, ResolvedCredential>();
  for (const name of names) {
    const header = fromRequest.get(name);
    if (header) {
      resolved.set(name, { apiKey: header });
      continue;
    }
    try {
      const stored = await resolveCredential(deps, orgId, name);
      if (stored) resolved.set(name, { apiKey: stored.apiKey, baseUrl: stored.baseUrl ?? undefined });
    } catch (error) {
      deps.log.warn("Stored credential could not be opened", { orgId, name, error });
    }
  }
  return resolved;
}

/** The engine as the server runs it: credentials resolved up front, the sandbox and the guarded fetch plugged in. */
export function serverEngine(
  credentials: Map<string, ResolvedCredential>,
  signal: AbortSignal,
): Omit<EngineOptions, "recording" | "policy" | "overrides" | "onStepStart" | "onStepEnd" | "onToken"> {
  return {
    credentials: (name) => credentials.get(name)?.apiKey,
    baseUrlFor: (name) => credentials.get(name)?.baseUrl,
    // Never the engine's in-process default: user code does not run inside the server.
    runCode: () => Promise.reject(new FatalStepError("Code steps cannot run on this server")),
    signal,
  };
}
