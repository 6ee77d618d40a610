import type { FastifyRequest } from "fastify";
import type { AppDeps } from "../deps.ts";
import { forbidden, unauthorized } from "../lib/errors.ts";
import { type AuthenticatedKey, authenticateApiKey } from "../modules/api-keys/service.ts";

/** The key from `X-API-Key`, or from `Authorization: Bearer echos_…`. */
export function presentedKey(req: FastifyRequest): string | null {
  const header = req.headers["x-api-key"];
  if (typeof header === "string" && header) return header.trim();
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer echos_")) return auth.slice(7).trim();
  return null;
}

/** For machine endpoints: a valid key, and for reads a full-scope one. */
export async function requireApiKey(
  deps: AppDeps,
  req: FastifyRequest,
  need: "ingest" | "read",
): Promise<AuthenticatedKey> {
  const key = presentedKey(req);
  if (!key) throw unauthorized("Missing API key: send it in the X-API-Key header or as Authorization: Bearer <key>");
  const authenticated = await authenticateApiKey(deps, key);
  if (need === "read" && authenticated.scope !== "full")
    throw forbidden("This API key is ingest-only and cannot read; create a full key to read");
  return authenticated;
}
