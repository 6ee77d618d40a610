import cookie from "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ErrorBody } from "@shared/schemas/errors.ts";
import type { Config } from "../config.ts";
import type { AppDeps } from "../deps.ts";
import { type SessionUser, validateSessionToken } from "../modules/sessions/service.ts";
import type { CookieJar } from "../trpc/context.ts";

export interface RequestAuth {
  session: SessionUser | null;
  /** How the session came: a browser cookie (CSRF applies) or an `Authorization: Bearer` token (scripts). */
  via: "cookie" | "bearer" | null;
  credentials: ReadonlyMap<string, string>;
}

declare module "fastify" {
  interface FastifyRequest {
    auth?: RequestAuth;
  }
}

const CREDENTIAL_HEADER = "x-user-credential-";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** `__Host-` in production: the browser then insists on Secure, Path=/ and no Domain. */
export function sessionCookieName(config: Pick<Config, "isProduction" | "cookieDomain">): string {
  if (!config.isProduction) return "echos_session";
  return config.cookieDomain ? "__Secure-echos_session" : "__Host-echos_session";
}

/**
 * `X-User-Credential-<NAME>` headers, names normalised (`Reclaim-Api-Key` → `RECLAIM_API_KEY`). They live on this
 * request only and are handed down explicitly; nothing stores or logs them.
 */
export function readCredentialHeaders(headers: FastifyRequest["headers"]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(CREDENTIAL_HEADER) || typeof value !== "string" || value === "") continue;
    out.set(name.slice(CREDENTIAL_HEADER.length).toUpperCase().replaceAll("-", "_"), value);
  }
  return out;
}

function bearerToken(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (!header?.startsWith("Bearer ")) return null;
  const token = header.slice(7).trim();
  // API keys are handled by the API-key guard, not as sessions.
  return token && !token.startsWith("echos_") ? token : null;
}

/** Cookie-authenticated writes must come from our own pages: Sec-Fetch-Site, or failing that Origin, must say so. */
function isSameOrigin(req: FastifyRequest, config: Pick<Config, "corsOrigins" | "publicUrl">): boolean {
  const site = req.headers["sec-fetch-site"];
  if (typeof site === "string") return site === "same-origin" || site === "none";
  const origin = req.headers.origin;
  if (!origin) return false;
  const allowed = new Set([new URL(config.publicUrl).origin, ...config.corsOrigins.map((o) => new URL(o).origin)]);
  return allowed.has(origin) || origin === `${req.protocol}://${req.host}`;
}

export function cookieJar(config: Config, reply: FastifyReply): CookieJar {
  const name = sessionCookieName(config);
  const base = {
    path: "/",
    httpOnly: true,
    sameSite: "lax" as const,
    secure: config.isProduction,
    domain: config.isProduction && config.cookieDomain ? config.cookieDomain : undefined,
  };
  return {
    setSession: (token, expiresAt) => void reply.setCookie(name, token, { ...base, expires: expiresAt }),
    clearSession: () => void reply.clearCookie(name, base),
    retryAfter: (seconds) => void reply.header("retry-after", String(seconds)),
  };
}

export async function registerAuth(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { config } = deps;
  const name = sessionCookieName(config);
  await app.register(cookie);

  app.addHook("onRequest", async (req, reply) => {
    const credentials = readCredentialHeaders(req.headers);
    const fromCookie = req.cookies[name];
    const token = fromCookie ?? bearerToken(req);
    const via = fromCookie ? "cookie" : token ? "bearer" : null;
    req.auth = { session: null, via, credentials };
    if (via === "cookie" && !SAFE_METHODS.has(req.method) && !isSameOrigin(req, config)) {
      return reply.code(403).send({
        statusCode: 403,
        error: "Forbidden",
        message: "Cross-site request refused: cookie-authenticated changes must come from the Echos dashboard itself",
      } satisfies ErrorBody);
    }
    if (!token) return;
    const result = await validateSessionToken(deps, token);
    if (!result) {
      if (via === "cookie") cookieJar(config, reply).clearSession();
      return;
    }
    req.auth.session = result.session;
    if (result.refreshed && via === "cookie") cookieJar(config, reply).setSession(token, result.session.expiresAt);
  });
}
