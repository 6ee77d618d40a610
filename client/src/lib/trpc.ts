import { httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { createTRPCReact } from "@trpc/react-query";
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
        false: httpBatchLink({ url: "/trpc" }),
      }),
    ],
  });
}
