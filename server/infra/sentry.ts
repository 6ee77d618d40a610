import * as Sentry from "@sentry/node";
import type { Config } from "../config.ts";
import { VERSION } from "../version.ts";
import type { Logger } from "./logger.ts";
import { scrubEvent, scrubSpan } from "./sentry-scrub.ts";

export interface RequestErrorContext {
  method: string;
  /** The route pattern (`/api/keys/:id`), never the raw URL. */
  route: string;
  status: number;
  requestId: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface ErrorTracker {
  enabled: boolean;
  /** A 5xx answered by the error handler or a failed tRPC procedure. */
  captureRequestError(error: unknown, context: RequestErrorContext): void;
  /** Sends what is queued; called on shutdown. */
  flush(timeoutMs?: number): Promise<void>;
}

const disabled: ErrorTracker = {
  enabled: false,
  captureRequestError() {},
  async flush() {},
};

/**
 * Sentry when SENTRY_DSN is set, else nothing at all. The SDK keeps one client per process (its default
 * integrations also catch uncaught exceptions and unhandled rejections, which are process-wide anyway).
 * Every event, breadcrumb and span is scrubbed before it leaves.
 */
export function createErrorTracker(
  config: Pick<Config, "sentryDsn" | "env" | "isProduction">,
  log: Logger,
): ErrorTracker {
  if (!config.sentryDsn) return disabled;
  Sentry.init({
    dsn: config.sentryDsn,
    environment: config.env,
    release: `echos@${VERSION}`,
    tracesSampleRate: config.isProduction ? 0.1 : 1.0,
    // Fastify's spans are kept, but errors are reported by our error handler, which knows the final status
    // (a DomainError becomes a 4xx there and is not reported at all).
    integrations: [Sentry.fastifyIntegration({ shouldHandleError: () => false })],
    // Request headers, query strings and bodies help; the scrubber removes their secrets. Local variables,
    // query parameters bound to SQL and AI payloads cannot be scrubbed reliably, so they are not collected.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: { request: true, response: false },
      httpBodies: ["incomingRequest"],
      stackFrameVariables: false,
      databaseQueryData: false,
      genAI: { inputs: false, outputs: false },
    },
    beforeSend: (event) => scrubEvent(event),
    // Spans stream one by one (the SDK's default lifecycle), so they are scrubbed one by one.
    beforeSendSpan: (span) => scrubSpan(span),
    beforeBreadcrumb: (crumb) => scrubEvent({ breadcrumbs: [crumb] }).breadcrumbs?.[0] ?? null,
  });
  log.info("Error tracking enabled (Sentry)", { environment: config.env });

  return {
    enabled: true,
    captureRequestError(error, context) {
      Sentry.withScope((scope) => {
        scope.setTags({
          "http.method": context.method,
          "http.route": context.route,
          "http.status_code": String(context.status),
          request_id: context.requestId,
        });
        scope.setContext("response", { status_code: context.status });
        scope.addEventProcessor((event) => {
          event.request = {
            ...event.request,
            method: context.method,
            url: event.request?.url ?? context.url,
            headers: { ...context.headers, ...event.request?.headers } as Record<string, string>,
          };
          return event;
        });
        Sentry.captureException(error);
      });
    },
    async flush(timeoutMs = 2000) {
      await Sentry.flush(timeoutMs);
    },
  };
}
