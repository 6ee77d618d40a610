import { httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { createTRPCReact } from "@trpc/react-query";
import { TRPC_MAX_BATCH_CALLS } from "@shared/trpc-limits.ts";
// Type-only: the client must never pull server runtime code into the bundle.
import type { AppRouter } from "../../../server/trpc/router.ts";

export type { RouterInputs, RouterOutputs } from "../../../server/trpc/router.ts";

export const trpc = createTRPCReact<AppRouter>();

export function createTrpcClient() {
  return trpc.createClient({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url: "/trpc" }),
        false: httpBatchLink({ url: "/trpc", maxItems: TRPC_MAX_BATCH_CALLS }),
      }),
    ],
  });
}
