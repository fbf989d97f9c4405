// API keys of one organisation.
import { z } from "zod";
import { createTRPCRouter, tenantProcedure } from "../core/trpc.ts";
import { createApiKeySchema } from "./schemas.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "./service.ts";

export const apiKeysRouter = createTRPCRouter({
  list: tenantProcedure("api_key.manage").query(({ ctx }) => listApiKeys(ctx.db, ctx.org.id)),

  create: tenantProcedure("api_key.manage")
    .input(createApiKeySchema)
    .mutation(({ ctx, input }) => createApiKey(ctx.db, ctx.acting, ctx.org.id, input, ctx.request)),

  revoke: tenantProcedure("api_key.manage")
    .input(z.object({ keyId: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) =>
      revokeApiKey(ctx.db, ctx.acting, ctx.org.id, input.keyId, ctx.request),
    ),
});
