/** A tRPC subscription's status, as `useSubscription` reports it. */
export type SubscriptionStatus = "idle" | "connecting" | "pending" | "error";

/**
 * What a live view tells its user about its stream: `connecting` the first time, `live` while connected,
 * `reconnecting` after a break (the stream starts again by itself), `offline` while the browser has no network.
 */
export type LiveState = "connecting" | "live" | "reconnecting" | "offline";

export interface LiveConnection {
  state: LiveState;
  /** Why the stream broke, while it is not live (when the browser or the server said). */
  error: string | null;
}
