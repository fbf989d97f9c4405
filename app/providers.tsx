"use client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  retryLink,
  splitLink,
} from "@trpc/client";
import { type ReactNode, useState } from "react";
import { Toaster } from "sonner";
import superjson from "superjson";
import type { AppRouter } from "@/server/root-router.ts";
import { TRPCProvider } from "./lib/trpc.ts";

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 5_000, retry: 1 } } }),
  );
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        // A live page whose stream broke on the server's side (not a refusal) reconnects.
        retryLink({
          retry: ({ op, error, attempts }) =>
            op.type === "subscription" &&
            attempts <= 5 &&
            (error.data?.code ?? "INTERNAL_SERVER_ERROR") === "INTERNAL_SERVER_ERROR",
          retryDelayMs: (attempt) => Math.min(1000 * 2 ** attempt, 10_000),
        }),
        // Subscriptions (live pages) as server-sent events; everything else batched.
        splitLink({
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({ url: "/api/trpc", transformer: superjson }),
          false: httpBatchLink({ url: "/api/trpc", transformer: superjson }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
        <Toaster position="bottom-right" richColors closeButton theme="system" />
      </TRPCProvider>
    </QueryClientProvider>
  );
}
