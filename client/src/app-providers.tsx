import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { LiveStatusProvider } from "./features/system/live-status-provider.tsx";
import { createTrpcClient, trpc } from "./lib/trpc.ts";

function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 10_000, retry: 2 },
    },
  });
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
