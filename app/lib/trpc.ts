"use client";
// Typed tRPC hooks for client components: `const trpc = useTRPC()` then
// `useQuery(trpc.organizations.overview.queryOptions({ orgSlug }))`.
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "@/server/root-router.ts";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();
