import { randomBytes } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import { apiKeys } from "../../../db/schema.ts";
import { type ApiKeyScope, formatApiKey, parseApiKey } from "@shared/api-key-format.ts";
import { type Role, hasRole } from "@shared/roles.ts";
import type { AppDeps } from "../../deps.ts";
import type { Db } from "../../infra/db.ts";
import { forbidden, notFound, unauthorized } from "../../lib/errors.ts";
import { hashToken } from "../../lib/tokens.ts";
import { recordAudit } from "../audit/service.ts";
import type { Actor } from "../orgs/service.ts";

type Deps = Pick<AppDeps, "database" | "store">;

const CACHE_TTL_MS = 30_000;
/** `last_used_at` moves at most once a minute per key, across all instances. */
const TOUCH_INTERVAL_MS = 60_000;
const cacheKey = (hash: string) => `api-key:${hash}`;

export interface AuthenticatedKey {
  id: string;
  orgId: string;
  name: string;
  scope: ApiKeyScope;
}

function toView(row: typeof apiKeys.$inferSelect) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scope: row.scope,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
export type ApiKeyView = ReturnType<typeof toView>;

/** Members may create ingest-only keys; full keys (which can read) need an admin. */
export async function createApiKey(
  deps: Deps,
  actor: Actor & { role: Role },
  orgId: string,
  input: { name: string; scope: ApiKeyScope; expiresInDays?: number | null },
) {
  if (input.scope === "full" && !hasRole(actor.role, "admin")) {
    throw forbidden("Members can create ingest-only keys; full keys need an admin");
  }
  const key = formatApiKey(input.scope, (n) => randomBytes(n));
  const parsed = parseApiKey(key);
  if (!parsed.ok) throw new Error("generated an invalid API key");
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
  const [row] = await deps.database.db
    .insert(apiKeys)
    .values({
      orgId,
      name: input.name,
      prefix: parsed.prefix,
      keyHash: hashToken(key),
      scope: input.scope,
      createdBy: actor.userId,
      expiresAt,
    })
    .returning();
  await recordAudit(deps, {
    orgId,
    actor,
    action: "api_key.created",
    target: input.name,
    metadata: { keyId: row!.id, scope: input.scope, prefix: parsed.prefix },
    ip: actor.ip,
  });
  return { ...toView(row!), key };
}

export async function listApiKeys({ database }: Pick<AppDeps, "database">, orgId: string): Promise<ApiKeyView[]> {
  const rows = await database.db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.orgId, orgId))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(toView);
}

export async function revokeApiKey(deps: Deps, actor: Actor, orgId: string, keyId: string): Promise<ApiKeyView> {
  const [row] = await deps.database.db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.orgId, orgId), isNull(apiKeys.revokedAt)))
    .returning();
  if (!row) throw notFound("No active API key with that id in this organisation");
  await forgetRevokedKey(deps, actor, orgId, row);
  return toView(row);
}

/** Revokes the organisation's active keys that `userId` created, inside the caller's transaction. */
export async function revokeKeysCreatedBy(db: Db, orgId: string, userId: string) {
  return db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.createdBy, userId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, keyHash: apiKeys.keyHash });
}

/** Once keys were revoked with their creator's removal: out of the lookup cache now, and one audit entry each. */
export async function forgetRevokedKeys(
  deps: Deps,
  actor: Actor,
  orgId: string,
  keys: Awaited<ReturnType<typeof revokeKeysCreatedBy>>,
) {
  for (const key of keys) await forgetRevokedKey(deps, actor, orgId, key, "creator removed from the organisation");
}

/** A revoked key leaves the lookup cache at once (it would be honoured until the entry expired) and the audit log says so. */
async function forgetRevokedKey(
  deps: Deps,
  actor: Actor,
  orgId: string,
  key: { id: string; name: string; prefix: string; keyHash: string },
  reason?: string,
) {
  await deps.store.delete(cacheKey(key.keyHash));
  await recordAudit(deps, {
    orgId,
    actor,
    action: "api_key.revoked",
    target: key.name,
    metadata: { keyId: key.id, prefix: key.prefix, ...(reason ? { reason } : {}) },
    ip: actor.ip,
  });
}

type CachedKey = AuthenticatedKey & { expiresAt: string | null; revoked: boolean };

/**
 * Checks a presented key: format and checksum first (no database work for garbage), then the hash, revocation
 * and expiry. Each failure says which it was. Lookups are cached briefly; revocation clears the cache entry.
 */
export async function authenticateApiKey(deps: Deps, key: string): Promise<AuthenticatedKey> {
  const parsed = parseApiKey(key);
  if (!parsed.ok) {
    throw unauthorized(
      parsed.reason === "checksum"
        ? "API key checksum does not match: the key was mistyped or truncated"
        : "Malformed API key: expected echos_<i|f>_ followed by 38 letters and digits",
    );
  }
  const hash = hashToken(key);
  let entry: CachedKey | null = null;
  const cached = await deps.store.get(cacheKey(hash));
  if (cached) entry = JSON.parse(cached) as CachedKey;
  else {
    const [row] = await deps.database.db.select().from(apiKeys).where(eq(apiKeys.keyHash, hash)).limit(1);
    if (row) {
      entry = {
        id: row.id,
        orgId: row.orgId,
        name: row.name,
        scope: row.scope,
        expiresAt: row.expiresAt?.toISOString() ?? null,
        revoked: row.revokedAt !== null,
      };
      await deps.store.set(cacheKey(hash), JSON.stringify(entry), CACHE_TTL_MS);
    }
  }
  if (!entry) throw unauthorized("Unknown API key");
  if (entry.revoked) throw unauthorized("This API key has been revoked");
  if (entry.expiresAt && Date.parse(entry.expiresAt) <= Date.now())
    throw unauthorized(`This API key expired on ${entry.expiresAt}`);
  await touchKey(deps, entry.id);
  return { id: entry.id, orgId: entry.orgId, name: entry.name, scope: entry.scope };
}

async function touchKey(deps: Deps, keyId: string) {
  const { count } = await deps.store.increment(`api-key-touch:${keyId}`, TOUCH_INTERVAL_MS);
  if (count === 1) await deps.database.db.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, keyId));
}
