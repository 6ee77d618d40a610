import { createHash } from "node:crypto";
import type { WorkflowDefinition } from "./define.ts";

/** JSON with object keys sorted at every level, so equal content always gives equal text (and hash). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** SHA-256 (hex) of the definition's canonical JSON: the identity of an immutable workflow version. */
export function hashDefinition(definition: WorkflowDefinition): string {
  return createHash("sha256").update(canonicalJson(definition)).digest("hex");
}

/** `<name>@<first 12 hex of the hash>`, what runs carry as `workflowVersionId`. */
export function workflowVersionId(definition: WorkflowDefinition, hash = hashDefinition(definition)): string {
  return `${definition.name}@${hash.slice(0, 12)}`;
}
