import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AppDeps } from "../deps.ts";
import { forbidden, unauthorized } from "../lib/errors.ts";

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/**
 * A caller on this machine, judged by the socket itself: `req.ip` follows X-Forwarded-For under trust proxy,
 * which a remote caller can write. A request that came through a proxy (forwarding headers present) is not
 * treated as local even when the proxy runs on this host.
 */
function fromLoopback(req: FastifyRequest): boolean {
  const headers = req.headers;
  if (headers["x-forwarded-for"] || headers.forwarded || headers["x-real-ip"]) return false;
  return LOOPBACK.has(req.socket.remoteAddress ?? "");
}

/** Compared as hashes, so neither the length nor the content of the token leaks through timing. */
function tokenMatches(given: string, expected: string): boolean {
  const digest = (v: string) => createHash("sha256").update(v).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** A monitoring caller: on this machine, or presenting the metrics token. */
export function isOperator(req: FastifyRequest, metricsToken: string | undefined): boolean {
  const bearer = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer !== undefined && metricsToken) return tokenMatches(bearer, metricsToken);
  return fromLoopback(req);
}

/** Request durations for every route, and `GET /metrics` in Prometheus text format. */
export function registerMetrics(app: FastifyInstance, deps: AppDeps): void {
  const { metrics, config } = deps;

  app.addHook("onResponse", (req, reply, done) => {
    done();
    metrics.requestDuration.observe(
      // The route pattern, never the URL: one series per route, whatever ids the paths carry.
      { method: req.method, route: req.routeOptions.url ?? "unmatched", status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.get("/metrics", { config: { rateLimit: false } }, async (req, reply) => {
    const header = req.headers.authorization;
    const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (bearer !== undefined) {
      if (!config.metricsToken || !tokenMatches(bearer, config.metricsToken)) {
        throw unauthorized("The metrics token is not valid");
      }
    } else if (!fromLoopback(req)) {
      if (config.metricsToken) throw unauthorized("Send Authorization: Bearer <METRICS_TOKEN> to read metrics");
      throw forbidden("Metrics are served to this host only; set METRICS_TOKEN to allow scrapes from elsewhere");
    }
    const body = await metrics.registry.metrics();
    return reply.header("content-type", metrics.registry.contentType).header("cache-control", "no-store").send(body);
  });
}
