// Secrets of one organisation: everyone sees names, grants and last use; admins manage them.
// No procedure ever returns a value.
import { z } from "zod";
import { whenChanged } from "../core/live.ts";
import { createTRPCRouter, tenantProcedure } from "../core/trpc.ts";
import {
  createSecretSchema,
  deleteSecretSchema,
  grantSecretSchema,
  rotateSecretSchema,
  secretUsesSchema,
  updateSecretSchema,
} from "./schemas.ts";
import {
  createSecret,
  deleteSecret,
  grantSecret,
  listSecrets,
  revokeGrant,
  rotateSecret,
  secretUses,
  updateSecret,
} from "./service.ts";

export const secretsRouter = createTRPCRouter({
  list: tenantProcedure("secret.read").query(({ ctx }) => listSecrets(ctx.db, ctx.org.id)),

  create: tenantProcedure("secret.manage")
    .input(createSecretSchema)
    .mutation(({ ctx, input }) => createSecret(ctx.db, ctx.acting, ctx.org.id, input, ctx.request)),

  update: tenantProcedure("secret.manage")
    .input(updateSecretSchema)
    .mutation(({ ctx, input }) => updateSecret(ctx.db, ctx.acting, ctx.org.id, input, ctx.request)),

  rotate: tenantProcedure("secret.manage")
    .input(rotateSecretSchema)
    .mutation(({ ctx, input }) => rotateSecret(ctx.db, ctx.acting, ctx.org.id, input, ctx.request)),

  delete: tenantProcedure("secret.manage")
    .input(deleteSecretSchema)
    .mutation(({ ctx, input }) => deleteSecret(ctx.db, ctx.acting, ctx.org.id, input, ctx.request)),

  grant: tenantProcedure("secret.manage")
    .input(grantSecretSchema)
    .mutation(({ ctx, input }) => grantSecret(ctx.db, ctx.acting, ctx.org.id, input, ctx.request)),

  revokeGrant: tenantProcedure("secret.manage")
    .input(z.object({ grantId: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) =>
      revokeGrant(ctx.db, ctx.acting, ctx.org.id, input.grantId, ctx.request),
    ),

  /** The secret-use ledger: every request the gateway added a secret to. */
  uses: tenantProcedure("secret.read")
    .input(secretUsesSchema)
    .query(({ ctx, input }) => secretUses(ctx.db, ctx.org.id, input)),

  /** The ledger's newest rows, pushed as they arrive. */
  watchUses: tenantProcedure("secret.read")
    .input(secretUsesSchema.omit({ before: true }))
    .subscription(({ ctx, input, signal }) =>
      whenChanged(() => secretUses(ctx.db, ctx.org.id, input), signal),
    ),
});
