import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type {
  ApiKeyCreatedResponse,
  ApiKeyListResponse,
  ApiKeyRevokedResponse,
  WhoAmI,
} from "@shared/schemas/api-keys.ts";
import { ZCreateApiKeyInput } from "@shared/schemas/identity.ts";
import type { MemberList } from "@shared/schemas/orgs.ts";
import type { AppDeps } from "../deps.ts";
import { badRequest, forbidden, unauthorized } from "../lib/errors.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "../modules/api-keys/service.ts";
import { listMembers, requireRole } from "../modules/orgs/service.ts";
import { apiKeyDeps, requestDeps } from "./request-deps.ts";
import { presentedKey, requireApiKey } from "./require-api-key.ts";

const ZOrgQuery = z.object({ orgId: z.uuid().optional() });

/**
 * Key management over REST for scripts (the shapes of the sandbox guide). Authenticated as a *user*: the session
 * cookie from the dashboard, or `Authorization: Bearer <session token>`; an API key cannot mint API keys.
 */
export function registerApiKeyRoutes(app: FastifyInstance, deps: AppDeps): void {
  async function userInOrg(
    req: FastifyRequest,
    orgIdFromRequest: string | undefined,
    minRole: "viewer" | "member" | "admin",
  ) {
    const session = req.auth?.session;
    if (!session) {
      if (presentedKey(req)) throw forbidden("API keys cannot manage API keys; use a signed-in session");
      throw unauthorized("Sign in first: send the session cookie or Authorization: Bearer <session token>");
    }
    const orgId = orgIdFromRequest ?? session.activeOrgId;
    if (!orgId) throw badRequest("No organisation selected: pass orgId");
    const role = await requireRole(deps, orgId, session.userId, minRole);
    const scoped = requestDeps(deps, req, orgId);
    return { orgId, role, actor: { userId: session.userId, email: session.email, ip: req.ip }, scoped };
  }

  app.post("/api/keys", async (req, reply) => {
    const body = ZCreateApiKeyInput.extend({ orgId: z.uuid().optional() }).parse(req.body ?? {});
    const { orgId, role, actor, scoped } = await userInOrg(req, body.orgId, "member");
    const created = await createApiKey(scoped, { ...actor, role }, orgId, body);
    return reply.code(201).send({
      success: true,
      apiKey: {
        id: created.id,
        key: created.key,
        prefix: created.prefix,
        name: created.name,
        scope: created.scope,
        createdAt: created.createdAt,
        expiresAt: created.expiresAt,
      },
    } satisfies ApiKeyCreatedResponse);
  });

  app.get("/api/keys", async (req) => {
    const { orgId, scoped } = await userInOrg(req, ZOrgQuery.parse(req.query).orgId, "viewer");
    return { success: true, apiKeys: await listApiKeys(scoped, orgId) } satisfies ApiKeyListResponse;
  });

  app.delete("/api/keys/:id", async (req) => {
    const { id } = z.object({ id: z.uuid("Not an API key id") }).parse(req.params);
    const { orgId, actor, scoped } = await userInOrg(req, ZOrgQuery.parse(req.query).orgId, "admin");
    return { success: true, apiKey: await revokeApiKey(scoped, actor, orgId, id) } satisfies ApiKeyRevokedResponse;
  });

  /** Lets an SDK check its configuration: which organisation and key it is talking as. Any valid key. */
  app.get("/api/v1/whoami", async (req) => {
    const key = await requireApiKey(deps, req, "ingest");
    return { orgId: key.orgId, key: { id: key.id, name: key.name, scope: key.scope } } satisfies WhoAmI;
  });

  /** The organisation's members, for scripts: a read, so only full keys. */
  app.get("/api/v1/members", async (req) => {
    const key = await requireApiKey(deps, req, "read");
    const members = await listMembers(apiKeyDeps(deps, req, key), key.orgId);
    // What JSON.stringify would write for the Date, spelled out so the type says it too.
    return { members: members.map((m) => ({ ...m, joinedAt: m.joinedAt.toISOString() })) } satisfies MemberList;
  });
}
