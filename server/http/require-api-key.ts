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

/**
 * The key of a Langfuse client: HTTP Basic `public key : secret key`, where the secret key is the Echos API key and
 * the public key is not checked (Langfuse SDKs refuse to start without one; any value will do, the key's prefix
 * shown in Settings is a good one). `X-API-Key` and `Bearer` are taken too, for exporters configured by hand.
 */
export async function requireLangfuseKey(deps: AppDeps, req: FastifyRequest): Promise<AuthenticatedKey> {
  const auth = req.headers.authorization;
  if (auth && /^basic\s/i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const secret = colon >= 0 ? decoded.slice(colon + 1).trim() : "";
    if (!secret)
      throw unauthorized(
        "Missing secret key: send Basic auth as <public key>:<secret key>, with your Echos API key as the secret key",
      );
    return authenticateApiKey(deps, secret);
  }
  if (presentedKey(req)) return requireApiKey(deps, req, "ingest");
  throw unauthorized(
    "Missing credentials: send HTTP Basic auth with your Echos API key as the secret key (LANGFUSE_SECRET_KEY)",
  );
}
