import type { FastifyInstance } from "fastify";

/**
 * Development only (not registered in production): shows which `X-User-Credential-*` headers reached the
 * server — names only, never values — to debug a caller's credential forwarding.
 */
export function registerDebugRoutes(app: FastifyInstance): void {
  app.post("/debug/headers", async (req) => {
    const names = [...(req.auth?.credentials.keys() ?? [])].sort();
    return { credentialHeaders: names, count: names.length };
  });
}
