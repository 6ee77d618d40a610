import type { WorkflowDefinition } from "@shared/workflow/define.ts";
import { DEFAULT_BASE_URL } from "@shared/workflow/openai-compatible.ts";
import { DEFAULT_CREDENTIAL } from "@shared/workflow/steps.ts";
import { SIM_MODEL } from "@shared/workflow/sim-model.ts";
import type { EngineOptions } from "@shared/workflow/types.ts";
import type { AppDeps } from "../../deps.ts";
import { badRequest } from "../../lib/errors.ts";
import { resolveCredential } from "../credentials/service.ts";
import { serverEngineGuards } from "../step-guards/engine-guards.ts";
import { connectedRuntimeTools } from "../runtimes/tools.ts";

type Deps = Pick<AppDeps, "database" | "config" | "log">;

export interface ResolvedCredential {
  apiKey: string;
  baseUrl?: string;
  /** From the organisation's store (not the request): bound to its own base URL. */
  stored?: boolean;
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
      if (stored) resolved.set(name, { apiKey: stored.apiKey, baseUrl: stored.baseUrl ?? undefined, stored: true });
    } catch (error) {
      deps.log.warn("Stored credential could not be opened", { orgId, name, error });
    }
  }
  return resolved;
}

/**
 * The engine as the server runs it: credentials resolved up front, http steps and LLM calls through the SSRF guard,
 * code steps in the sandbox, and tool steps on the organisation's connected runtimes.
 */
export function serverEngine(
  deps: Pick<AppDeps, "config" | "store">,
  job: { orgId: string; runId: string; definition: WorkflowDefinition },
  credentials: Map<string, ResolvedCredential>,
  signal: AbortSignal,
): Omit<EngineOptions, "recording" | "policy" | "overrides" | "onStepStart" | "onStepEnd" | "onToken"> {
  const tools = job.definition.steps.flatMap((s) => (s.type === "tool" ? [s.tool] : []));
  return {
    ...serverEngineGuards(deps.config),
    tools: connectedRuntimeTools(deps, job.orgId, job.runId, tools),
    credentials: (name) => credentials.get(name)?.apiKey,
    baseUrlFor: (name) => credentials.get(name)?.baseUrl,
    signal,
  };
}

/**
 * A stored credential goes only to the base URL stored with it: a replay that points a step elsewhere would hand the
 * organisation's key to that host. A key sent with the request (`X-User-Credential-*`) may go anywhere.
 */
export function checkStoredBaseUrls(
  definition: WorkflowDefinition,
  overrides: Record<string, Record<string, unknown>>,
  credentials: Map<string, ResolvedCredential & { stored?: boolean }>,
): void {
  const normalise = (url: string) => url.replace(/\/+$/, "");
  for (const step of definition.steps) {
    const merged = { ...step, ...overrides[step.id] } as Record<string, unknown>;
    if (merged.type !== "llm" || merged.model === SIM_MODEL || typeof merged.baseUrl !== "string") continue;
    const name = typeof merged.credential === "string" ? merged.credential : DEFAULT_CREDENTIAL;
    const credential = credentials.get(name);
    if (!credential?.stored) continue;
    const allowed = credential.baseUrl ?? DEFAULT_BASE_URL;
    if (normalise(merged.baseUrl) !== normalise(allowed))
      throw badRequest(
        `Step "${step.id}" sends credential ${name} to ${merged.baseUrl}, but it is stored for ${allowed}; send X-User-Credential-${name} to use another provider`,
      );
  }
}
