/**
 * Calls in one tRPC batch request. The server refuses a larger batch (each call is work and counts against the rate
 * limit); the dashboard's batch link splits at this size, so it never sends one.
 */
export const TRPC_MAX_BATCH_CALLS = 10;
