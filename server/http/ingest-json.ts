import type { FastifyInstance } from "fastify";

/**
 * JSON bodies of the ingest routes (REST and OTLP), in the route's own scope: a `__proto__` key, or a `constructor`
 * key holding `prototype`, is removed where it stands instead of refusing the whole request (Fastify's default), so
 * the one item whose payload holds it is stored, and its neighbours with it. Removing keeps what refusing protects:
 * no parsed object carries such a key. Model output and tool results are arbitrary JSON, where such a key can turn
 * up without any ill intent; the schemas drop it from records anyway.
 */
export function parseJsonRemovingPrototypeKeys(scope: FastifyInstance): void {
  scope.removeContentTypeParser("application/json");
  scope.addContentTypeParser("application/json", { parseAs: "string" }, scope.getDefaultJsonParser("remove", "remove"));
}
