import { and, asc, eq, ne } from "drizzle-orm";
import { providerCredentials } from "../../../db/schema.ts";
import type { AppDeps } from "../../deps.ts";
import { notFound } from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import type { Actor } from "../orgs/service.ts";
import { deriveSealingKey, open, seal, type SealingKey } from "./crypto.ts";

type Deps = Pick<AppDeps, "database" | "config">;

/** The current key seals; the current and the previous key (during a rotation) can open. */
export function sealingKeys(config: Pick<AppDeps["config"], "encryptionKey" | "encryptionKeyPrevious">) {
  const current = deriveSealingKey(config.encryptionKey);
  const previous = config.encryptionKeyPrevious ? deriveSealingKey(config.encryptionKeyPrevious) : null;
  const byId = new Map<string, SealingKey>([
    [current.id, current],
    ...(previous ? [[previous.id, previous] as const] : []),
  ]);
  return { current, byId };
}

/** Bound to the organisation and name, so a sealed value copied to another row does not open. */
const aad = (orgId: string, name: string) => `${orgId}/${name}`;

function toView(row: typeof providerCredentials.$inferSelect) {
  return {
    id: row.id,
    name: row.name,
    provider: row.provider,
    baseUrl: row.baseUrl,
    masked: `••••${row.hint}`,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function saveCredential(
  deps: Deps,
  actor: Actor,
  orgId: string,
  input: { name: string; provider: string; baseUrl: string; apiKey: string },
) {
  const { current } = sealingKeys(deps.config);
  const values = {
    provider: input.provider,
    baseUrl: input.baseUrl,
    secret: seal(input.apiKey, current, aad(orgId, input.name)),
    keyId: current.id,
    hint: input.apiKey.slice(-4),
    updatedAt: new Date(),
  };
  const [row] = await deps.database.db
    .insert(providerCredentials)
    .values({ orgId, name: input.name, createdBy: actor.userId, ...values })
    .onConflictDoUpdate({ target: [providerCredentials.orgId, providerCredentials.name], set: values })
    .returning();
  await recordAudit(deps, {
    orgId,
    actor,
    action: "credential.saved",
    target: input.name,
    metadata: { provider: input.provider, baseUrl: input.baseUrl },
    ip: actor.ip,
  });
  return toView(row!);
}

export async function listCredentials({ database }: Pick<AppDeps, "database">, orgId: string) {
  const rows = await database.db
    .select()
    .from(providerCredentials)
    .where(eq(providerCredentials.orgId, orgId))
    .orderBy(asc(providerCredentials.name));
  return rows.map(toView);
}

export async function deleteCredential(deps: Deps, actor: Actor, orgId: string, id: string) {
  const [row] = await deps.database.db
    .delete(providerCredentials)
    .where(and(eq(providerCredentials.id, id), eq(providerCredentials.orgId, orgId)))
    .returning();
  if (!row) throw notFound("No such credential in this organisation");
  await recordAudit(deps, { orgId, actor, action: "credential.deleted", target: row.name, ip: actor.ip });
}

/** For the runtime: the decrypted credential, used for one call and never returned to a client. */
export async function resolveCredential(deps: Deps, orgId: string, name: string) {
  const [row] = await deps.database.db
    .select()
    .from(providerCredentials)
    .where(and(eq(providerCredentials.orgId, orgId), eq(providerCredentials.name, name)))
    .limit(1);
  if (!row) return null;
  const key = sealingKeys(deps.config).byId.get(row.keyId);
  if (!key)
    throw new Error(`Credential ${name} is sealed with an unknown key (${row.keyId}); set ENCRYPTION_KEY_PREVIOUS`);
  return { baseUrl: row.baseUrl, provider: row.provider, apiKey: open(row.secret, key, aad(orgId, name)) };
}

export interface RotationResult {
  rotated: number;
  current: string;
  /** Values sealed under a key that is neither current nor previous: left as they are, named for the operator. */
  unreadable: { orgId: string; name: string; keyId: string }[];
}

/** Re-seals every value not under the current key. Idempotent; one unreadable value does not stop the others. */
export async function rotateCredentials(deps: Deps): Promise<RotationResult> {
  const { current, byId } = sealingKeys(deps.config);
  const rows = await deps.database.db
    .select()
    .from(providerCredentials)
    .where(ne(providerCredentials.keyId, current.id));
  let rotated = 0;
  const unreadable: RotationResult["unreadable"] = [];
  for (const row of rows) {
    const key = byId.get(row.keyId);
    if (!key) {
      unreadable.push({ orgId: row.orgId, name: row.name, keyId: row.keyId });
      continue;
    }
    const plaintext = open(row.secret, key, aad(row.orgId, row.name));
    await deps.database.db
      .update(providerCredentials)
      .set({ secret: seal(plaintext, current, aad(row.orgId, row.name)), keyId: current.id })
      .where(eq(providerCredentials.id, row.id));
    rotated += 1;
  }
  return { rotated, current: current.id, unreadable };
}
