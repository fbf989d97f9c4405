// Where an organisation's audit log goes (webhook sinks) and how long it stays (retention).
import { z } from "zod";
import { createTRPCRouter, tenantProcedure } from "../../core/trpc.ts";
import { createWebhookSchema, retentionSchema, updateWebhookSchema } from "./schemas.ts";
import {
  createWebhook,
  deleteWebhook,
  listWebhooks,
  rotateWebhookSecret,
  setRetention,
  updateWebhook,
} from "./service.ts";

const webhookId = z.object({ webhookId: z.string().min(1).max(64) });

export const auditSettingsRouter = createTRPCRouter({
  get: tenantProcedure("audit.configure").query(async ({ ctx }) => ({
    retentionDays: ctx.org.auditRetentionDays,
    webhooks: await listWebhooks(ctx.db, ctx.org.id),
  })),

  setRetention: tenantProcedure("audit.configure")
    .input(retentionSchema)
    .mutation(({ ctx, input }) =>
      setRetention(ctx.db, ctx.acting, ctx.org.id, input.retentionDays, ctx.request),
    ),

  createWebhook: tenantProcedure("audit.configure")
    .input(createWebhookSchema)
    .mutation(({ ctx, input }) =>
      createWebhook(ctx.db, ctx.acting, ctx.org.id, input, ctx.request),
    ),

  updateWebhook: tenantProcedure("audit.configure")
    .input(updateWebhookSchema)
    .mutation(({ ctx, input }) =>
      updateWebhook(ctx.db, ctx.acting, ctx.org.id, input, ctx.request),
    ),

  rotateWebhookSecret: tenantProcedure("audit.configure")
    .input(webhookId)
    .mutation(({ ctx, input }) =>
      rotateWebhookSecret(ctx.db, ctx.acting, ctx.org.id, input.webhookId, ctx.request),
    ),

  deleteWebhook: tenantProcedure("audit.configure")
    .input(webhookId)
    .mutation(({ ctx, input }) =>
      deleteWebhook(ctx.db, ctx.acting, ctx.org.id, input.webhookId, ctx.request),
    ),
});
