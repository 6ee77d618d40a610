import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type {} from "@fastify/middie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ErrorBody } from "@shared/schemas/errors.ts";
import type { AppDeps } from "../deps.ts";

/** Paths that belong to machines, never to the SPA: unknown ones answer JSON 404, not index.html. */
const API_PREFIXES = ["/api/", "/trpc/", "/v1/", "/health", "/metrics", "/debug/"];

function isApiPath(url: string): boolean {
  const path = url.split("?")[0] ?? url;
  return API_PREFIXES.some((p) => path === p.replace(/\/$/, "") || path.startsWith(p));
}

function wantsHtml(req: FastifyRequest): boolean {
  return (
    (req.method === "GET" || req.method === "HEAD") &&
    !isApiPath(req.url) &&
    (req.headers.accept ?? "*/*").match(/text\/html|\*\/\*/) !== null
  );
}

function notFound(req: FastifyRequest, reply: FastifyReply) {
  return reply.code(404).send({
    statusCode: 404,
    error: "Not Found",
    message: `No route for ${req.method} ${req.url.split("?")[0]}`,
  } satisfies ErrorBody);
}

/** `dist/public` beside the bundle, or under the project root when run from sources. */
export function publicDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "public"), resolve(here, "../../dist/public")];
  return candidates.find((d) => existsSync(join(d, "index.html"))) ?? candidates[0]!;
}

/** Production: the built SPA with immutable hashed assets, `no-cache` HTML and a client-route fallback. */
export async function registerBuiltClient(app: FastifyInstance, root = publicDir()): Promise<void> {
  const indexFile = join(root, "index.html");
  const hasClient = existsSync(indexFile);
  if (hasClient) {
    await app.register(fastifyStatic, {
      root,
      wildcard: true,
      index: "index.html",
      setHeaders(reply, filePath) {
        reply.header(
          "Cache-Control",
          filePath.includes(`${join(root, "assets")}/`) ? "public, max-age=31536000, immutable" : "no-cache",
        );
      },
    });
  }
  const indexHtml = hasClient ? readFileSync(indexFile, "utf8") : null;
  app.setNotFoundHandler(async (req, reply) => {
    if (indexHtml && wantsHtml(req)) {
      return reply.header("Cache-Control", "no-cache").type("text/html; charset=utf-8").send(indexHtml);
    }
    return notFound(req, reply);
  });
}

/** Development: Vite in middleware mode on the same port, with HMR over the server's own socket. */
export async function registerViteDevClient(app: FastifyInstance, deps: AppDeps): Promise<() => Promise<void>> {
  const [{ createServer }, { default: middie }] = await Promise.all([import("vite"), import("@fastify/middie")]);
  const vite = await createServer({
    configFile: resolve("vite.config.ts"),
    server: { middlewareMode: true, hmr: { server: app.server } },
    appType: "custom",
    logLevel: "warn",
  });
  await app.register(middie);
  app.use((req, res, next) => (isApiPath(req.url ?? "/") ? next() : vite.middlewares(req, res, next)));
  app.setNotFoundHandler(async (req, reply) => {
    if (!wantsHtml(req)) return notFound(req, reply);
    const template = readFileSync(resolve(vite.config.root, "index.html"), "utf8");
    const html = await vite.transformIndexHtml(req.url, template);
    return reply.header("Cache-Control", "no-cache").type("text/html; charset=utf-8").send(html);
  });
  deps.log.info("Vite dev middleware ready (HMR on the same port)");
  return () => vite.close();
}
