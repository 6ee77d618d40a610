import type { FastifyReply } from "fastify";
import type { UsageLimit, UsageLimitReached } from "@shared/schemas/usage.ts";
import { secondsUntil } from "../modules/usage/period.ts";
import { type LimitState, limitMessage } from "../modules/usage/service.ts";

/** The body of a refusal at the limit and of a batch that crossed it: the limit, the usage and the reset time. */
export function limitBody(state: LimitState): UsageLimit {
  return {
    error: "usage_limit_reached",
    message: limitMessage(state),
    metric: state.metric,
    limit: state.limit,
    usage: state.usage,
    resetsAt: state.resetsAt.toISOString(),
  };
}

/** 429 with `Retry-After` in seconds to the reset, so clients pause instead of retrying at once. */
export function sendLimitReached(reply: FastifyReply, state: LimitState) {
  return reply
    .code(429)
    .header("retry-after", String(secondsUntil(state.resetsAt)))
    .send({ statusCode: 429, ...limitBody(state) } satisfies UsageLimitReached);
}
