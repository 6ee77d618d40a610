import { QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { getQueryKey } from "@trpc/react-query";
import { useState, type ReactNode } from "react";
import { LiveStatusProvider } from "./features/system/live-status-provider.tsx";
import { errorStatus } from "./lib/errors.ts";
import { createTrpcClient, trpc } from "./lib/trpc.ts";

function createQueryClient() {
  const queryClient: QueryClient = new QueryClient({
    // A call refused for want of a session (expired, revoked elsewhere) means `me` is stale: refetching it sends
    // the gate to the sign-in page.
    queryCache: new QueryCache({
      onError: (error) => {
        if (errorStatus(error) === 401) void queryClient.invalidateQueries({ queryKey: getQueryKey(trpc.auth.me) });
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // Refusals (4xx) do not change on retry; network trouble and server errors may.
        retry: (failures, error) => failures < 2 && (errorStatus(error) ?? 500) >= 500,
      },
    },
  });
  return queryClient;
}

export function AppProviders({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  const [trpcClient] = useState(createTrpcClient);
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <LiveStatusProvider>{children}</LiveStatusProvider>
      </QueryClientProvider>
    </trpc.Provider>
  );
}
