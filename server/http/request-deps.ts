import type { FastifyRequest } from "fastify";
import { type AppDeps, withRequestLog } from "../deps.ts";
import type { AuthenticatedKey } from "../modules/api-keys/service.ts";

/**
 * The deps a route hands its services: their lines carry the request's id, the signed-in user and, once the route
 * has checked it, the organisation, so one request's lines can be found together.
 */
export function requestDeps(deps: AppDeps, req: FastifyRequest, orgId?: string, keyId?: string): AppDeps {
  return withRequestLog(deps, () =>
    deps.log.child({ requestId: String(req.id), userId: req.auth?.session?.userId, orgId, keyId }),
  );
}

/** For machine routes: the organisation and the id of the API key the request authenticated with. */
export function apiKeyDeps(deps: AppDeps, req: FastifyRequest, key: Pick<AuthenticatedKey, "id" | "orgId">): AppDeps {
  return requestDeps(deps, req, key.orgId, key.id);
}
