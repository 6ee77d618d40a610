import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from "@trpc/server/adapters/fastify";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { ZodError, z } from "zod";
import type { ErrorBody } from "@shared/schemas/errors.ts";
import { TRPC_MAX_BATCH_CALLS } from "@shared/trpc-limits.ts";
import type { AppDeps } from "./deps.ts";
import { HTTP_STATUS, asDomainError } from "./lib/errors.ts";
import { cookieJar, registerAuth } from "./http/auth.ts";
import { registerApiKeyRoutes } from "./http/api-keys.ts";
import { registerDebugRoutes } from "./http/debug.ts";
import { registerIngestRoutes } from "./http/ingest.ts";
import { registerLiveRoutes } from "./http/live.ts";
import { registerReplayRoutes } from "./http/replays.ts";
import { registerRunsExportRoutes } from "./http/runs-export.ts";
import { registerRuntimeRoutes } from "./http/runtimes.ts";
import { registerMetrics } from "./http/metrics.ts";
import { registerWorkflowRoutes } from "./http/workflows.ts";
import { registerOtlpRoutes } from "./http/otlp.ts";
import { registerLangfuseRoutes } from "./http/langfuse.ts";
import { registerLangSmithRoutes } from "./http/langsmith.ts";
import { registerBuiltClient, registerViteDevClient } from "./http/client.ts";
import { registerHealthRoutes } from "./http/health.ts";
import { registerSecurity } from "./http/security.ts";
import {
  DATABASE_RETRY_AFTER_SECONDS,
  DATABASE_UNAVAILABLE_MESSAGE,
  isDatabaseUnavailable,
  reportDatabaseUnavailable,
} from "./infra/db-availability.ts";
import { registerTrpcBatchLimit } from "./http/trpc-batch.ts";
import type { RequestErrorContext } from "./infra/sentry.ts";
import { contextFactory } from "./trpc/context.ts";
import { type AppRouter, appRouter } from "./trpc/router.ts";

export interface BuildAppOptions {
  /** `built` serves dist/public, `vite` runs Vite's dev middleware, `none` serves the API alone. */
  client?: "built" | "vite" | "none";
  /** Where the built client lives; defaults to dist/public beside the bundle. */
  publicDir?: string;
  /** Lets tests add routes (a slow handler, say) before the app starts listening. */
  extend?: (app: FastifyInstance) => void | Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export async function buildApp(deps: AppDeps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const { config, log } = deps;
  const app = Fastify({
    logger: false,
    trustProxy: typeof config.trustProxy === "number" ? hopsTrusted(config.trustProxy) : config.trustProxy,
    bodyLimit: config.bodyLimitBytes,
    // A client that sent its headers and then trickles (or stops) its body held a connection forever: the whole
    // request must now arrive within requestTimeoutMs, its headers within 10 s, checked every second. Node stops
    // counting once a request is complete, so event streams and long responses are not cut by it.
    requestTimeout: config.requestTimeoutMs,
    http: {
      headersTimeout: Math.min(10_000, config.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(5_000, config.requestTimeoutMs),
    },
    routerOptions: { maxParamLength: 4096 },
    // A caller's id is kept when it looks like one, so logs can be joined across a proxy.
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
    forceCloseConnections: "idle",
    clientErrorHandler: (error, socket) => answerClientError(error, socket, config.requestTimeoutMs),
    return503OnClosing: true,
  });

  // Hooks on every request are synchronous (callback style): an async hook costs a promise per request.
  app.addHook("onRequest", (req, reply, done) => {
    reply.header("x-request-id", req.id);
    done();
  });
  // While draining, every response closes its connection, so kept-alive sockets do not hold the exit.
  app.addHook("onSend", (_req, reply, payload, done) => {
    if (deps.lifecycle.draining) reply.header("connection", "close");
    done(null, payload);
  });
  // One line per request. The path is logged without its query string, and no headers at all.
  app.addHook("onResponse", (req, reply, done) => {
    done();
    // A request no route knows: most often an exporter or SDK pointed at the wrong path, which only the log shows.
    // The path is cut short and without its query string, which may carry secrets.
    if (req.is404 && reply.statusCode === 404)
      log.warn("No route for request", { method: req.method, path: (req.url.split("?")[0] ?? "").slice(0, 300) });
    if (!log.isLevelEnabled("http")) return;
    log.http("request", {
      requestId: req.id,
      method: req.method,
      route: req.routeOptions.url ?? "(unmatched)",
      path: req.url.split("?")[0],
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
    });
  });

  app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, req, reply) => {
    const domain = asDomainError(error);
    if (domain) {
      const error = domain;
      if (error.retryAfterSeconds) void reply.header("retry-after", String(error.retryAfterSeconds));
      const status = HTTP_STATUS[error.kind];
      return reply.code(status).send({
        statusCode: status,
        error: STATUS_CODES[status] ?? "Error",
        message: error.message,
      } satisfies ErrorBody);
    }
    if (error instanceof ZodError) {
      return reply.code(400).send({
        statusCode: 400,
        error: "Bad Request",
        message: z.prettifyError(error),
        issues: z.flattenError(error),
      } satisfies ErrorBody);
    }
    // An outage, not a bug: the client is told to come back, and the log gets one warning, not an error per request.
    if (isDatabaseUnavailable(error)) {
      reportDatabaseUnavailable(log, error, { requestId: req.id, route: req.routeOptions.url });
      return reply
        .code(503)
        .header("retry-after", String(DATABASE_RETRY_AFTER_SECONDS))
        .send({
          statusCode: 503,
          error: "Service Unavailable",
          message: DATABASE_UNAVAILABLE_MESSAGE,
        } satisfies ErrorBody);
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) {
      log.error("Request failed", { requestId: req.id, route: req.routeOptions.url, error });
      deps.errorTracker.captureRequestError(error, requestErrorContext(req, status));
      return reply.code(status).send({
        statusCode: status,
        error: "Internal Server Error",
        message: "Something went wrong; the error was logged.",
      } satisfies ErrorBody);
    }
    const message =
      error.code === "FST_ERR_CTP_BODY_TOO_LARGE"
        ? `Request body is larger than the limit of ${config.bodyLimitBytes} bytes`
        : error.message;
    return reply
      .code(status)
      .send({ statusCode: status, error: STATUS_CODES[status] ?? "Error", message } satisfies ErrorBody);
  });

  registerMetrics(app, deps);
  await registerSecurity(app, deps);
  await registerAuth(app, deps);
  registerHealthRoutes(app, deps);
  registerApiKeyRoutes(app, deps);
  registerIngestRoutes(app, deps);
  registerWorkflowRoutes(app, deps);
  registerOtlpRoutes(app, deps);
  registerLangfuseRoutes(app, deps);
  registerLangSmithRoutes(app, deps);
  registerLiveRoutes(app, deps);
  registerReplayRoutes(app, deps);
  registerRunsExportRoutes(app, deps);
  registerRuntimeRoutes(app, deps);
  if (config.env !== "production") registerDebugRoutes(app);

  registerTrpcBatchLimit(app);
  await app.register(fastifyTRPCPlugin, {
    prefix: "/trpc",
    trpcOptions: {
      router: appRouter,
      // Refused earlier with a readable reason (http/trpc-batch.ts); kept as the last word.
      maxBatchSize: TRPC_MAX_BATCH_CALLS,
      createContext: contextFactory(deps, ({ res }) => cookieJar(config, res)),
      onError({ path, error, ctx, req }) {
        if (error.code === "INTERNAL_SERVER_ERROR") {
          (ctx?.log ?? log).error("tRPC procedure failed", { path, error: error.cause ?? error });
          deps.errorTracker.captureRequestError(error.cause ?? error, {
            ...requestErrorContext(req, 500),
            route: `/trpc/${path ?? "(unknown)"}`,
          });
        }
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>["trpcOptions"],
  });

  if (options.extend) await options.extend(app);

  const client = options.client ?? (config.env === "development" ? "vite" : "built");
  if (client === "vite") {
    const closeVite = await registerViteDevClient(app, deps);
    app.addHook("onClose", closeVite);
  } else if (client === "built") {
    await registerBuiltClient(app, options.publicDir);
  } else {
    app.setNotFoundHandler(async (req, reply) =>
      reply
        .code(404)
        .send({ statusCode: 404, error: "Not Found", message: `No route for ${req.method} ${req.url.split("?")[0]}` }),
    );
  }
  return app;
}

function requestErrorContext(req: FastifyRequest, status: number): RequestErrorContext {
  return {
    method: req.method,
    route: req.routeOptions.url ?? "(unmatched)",
    status,
    requestId: String(req.id),
    url: req.url,
    headers: req.headers,
  };
}

/** `TRUST_PROXY=1` means: trust the nearest proxy hop only. */
function hopsTrusted(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

/**
 * A request Node could not even parse (headers too large, malformed, too slow): answered and the connection closed,
 * saying so with `Connection: close`. Fastify's default closes without that header, so a client that keeps
 * connections alive may already have sent its next request on the socket and gets no answer at all.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex, requestTimeoutMs: number): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, message] =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? [408, `The request did not arrive within ${Math.round(requestTimeoutMs / 1000)} s`]
      : error.code === "HPE_HEADER_OVERFLOW"
        ? [431, "The request's headers are larger than the server accepts"]
        : [400, "The request is not valid HTTP"];
  const body = JSON.stringify({
    statusCode: status,
    error: STATUS_CODES[status] ?? "Error",
    message,
  } satisfies ErrorBody);
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  socket.destroy();
}
