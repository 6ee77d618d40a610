import { and, eq } from "drizzle-orm";
import { workflows, workflowVersions } from "../../../db/schema.ts";
import { ZWorkflowDefinition } from "@shared/workflow/define.ts";
import { hashDefinition, workflowVersionId } from "@shared/workflow/hash.ts";
import type { AppDeps } from "../../deps.ts";
import { badRequest } from "../../lib/errors.ts";

/**
 * Registers a workflow version. Versions are immutable and named by their content hash, so registering the same
 * definition again is a no-op and a changed definition is a new version.
 */
export async function registerWorkflowVersion(
  { database }: Pick<AppDeps, "database">,
  orgId: string,
  input: { name: string; hash: string; definition: unknown },
) {
  const parsed = ZWorkflowDefinition.safeParse(input.definition);
  if (!parsed.success) {
    throw badRequest(
      `Invalid workflow definition: ${parsed.error.issues.map((i) => `${i.path.join(".") || "workflow"}: ${i.message}`).join("; ")}`,
    );
  }
  const definition = parsed.data;
  if (definition.name !== input.name)
    throw badRequest(`The definition is named "${definition.name}", not "${input.name}"`);
  const hash = hashDefinition(definition);
  if (hash !== input.hash)
    throw badRequest("The hash does not match the definition (expected the SHA-256 of its canonical JSON)");
  const id = workflowVersionId(definition, hash);
  return database.db.transaction(async (tx) => {
    await tx.insert(workflows).values({ orgId, name: definition.name }).onConflictDoNothing();
    const [workflow] = await tx
      .select({ id: workflows.id })
      .from(workflows)
      .where(and(eq(workflows.orgId, orgId), eq(workflows.name, definition.name)))
      .limit(1);
    const created = await tx
      .insert(workflowVersions)
      .values({ orgId, id, workflowId: workflow!.id, hash, definition })
      .onConflictDoNothing()
      .returning({ id: workflowVersions.id });
    return { id, hash, created: created.length > 0 };
  });
}

export async function getWorkflowVersion({ database }: Pick<AppDeps, "database">, orgId: string, id: string) {
  const [row] = await database.db
    .select()
    .from(workflowVersions)
    .where(and(eq(workflowVersions.orgId, orgId), eq(workflowVersions.id, id)))
    .limit(1);
  return row
    ? { id: row.id, hash: row.hash, definition: row.definition, createdAt: row.createdAt.toISOString() }
    : null;
}
