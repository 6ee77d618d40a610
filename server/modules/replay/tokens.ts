import { createHash, randomBytes } from "node:crypto";
import type { AppDeps } from "../../deps.ts";
import { SharedStoreUnavailableError } from "../../infra/store/index.ts";
import { unauthorized, unavailable } from "../../lib/errors.ts";

/** Stream tokens (seed 000): random, five minutes, bound to user + organisation + run, good for one replay. */
export const STREAM_TOKEN_TTL_MS = 5 * 60 * 1000;

interface Binding {
  userId: string;
  orgId: string;
  runId: string;
}

const keyOf = (token: string) => `replay-token:${createHash("sha256").update(token).digest("base64url")}`;

/**
 * A token is good on whichever instance the client reaches, and once across all of them: it lives in the shared
 * store only. While a configured Redis is away, issuing and redeeming refuse (503, try again) instead of using this
 * instance's memory: a token issued there could not be redeemed on another instance or after Redis returns, and a
 * token issued before the outage would be refused as "unknown or already used" although it is still good.
 */
const SHARED_ONLY = { sharedOnly: true } as const;
const RETRY_AFTER_SECONDS = 5;

async function shared<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof SharedStoreUnavailableError)
      throw unavailable(
        "Replay tokens are unavailable while Redis is unreachable; try again shortly",
        RETRY_AFTER_SECONDS,
      );
    throw error;
  }
}

/**
 * The expiry travels in the token (`<expiry base36>.<160 random bits>`), so an expired token can be told apart from
 * an unknown one and refused with that reason; only the hash of the token is stored.
 */
export async function issueStreamToken(
  deps: Pick<AppDeps, "store">,
  binding: Binding,
  now = Date.now(),
): Promise<{ token: string; expiresAt: string }> {
  const expiresAt = now + STREAM_TOKEN_TTL_MS;
  const token = `${expiresAt.toString(36)}.${randomBytes(20).toString("base64url")}`;
  await shared(() => deps.store.set(keyOf(token), JSON.stringify(binding), STREAM_TOKEN_TTL_MS, SHARED_ONLY));
  return { token, expiresAt: new Date(expiresAt).toISOString() };
}

/** Consumes the token: it must exist, be unexpired, unused and bound to exactly this user, organisation and run. */
export async function redeemStreamToken(
  deps: Pick<AppDeps, "store">,
  token: string,
  expected: Binding,
  now = Date.now(),
): Promise<void> {
  const expiresAt = parseInt(token.slice(0, token.indexOf(".")), 36);
  if (!Number.isFinite(expiresAt)) throw unauthorized("The stream token is malformed; request a new one");
  if (expiresAt <= now) throw unauthorized("The stream token has expired (they last 5 minutes); request a new one");
  const stored = await shared(() => deps.store.take(keyOf(token), SHARED_ONLY));
  if (!stored) throw unauthorized("The stream token is unknown or was already used; request a new one");
  const binding = JSON.parse(stored) as Binding;
  if (binding.userId !== expected.userId || binding.orgId !== expected.orgId || binding.runId !== expected.runId)
    throw unauthorized("The stream token was issued for another user, organisation or run");
}
