// What a webhook sink is made of; the same schemas validate the API and the forms.
import { z } from "zod";

export const webhookUrlSchema = z
  .url({ protocol: /^https?$/, error: "Enter the endpoint's full URL, starting with https://" })
  .max(2000, "Use at most 2000 characters");

export const createWebhookSchema = z.object({
  url: webhookUrlSchema,
  description: z.string().trim().max(200, "Use at most 200 characters").default(""),
});

export const updateWebhookSchema = z.object({
  webhookId: z.string().min(1),
  enabled: z.boolean().optional(),
  url: webhookUrlSchema.optional(),
  description: z.string().trim().max(200, "Use at most 200 characters").optional(),
});

export const retentionSchema = z.object({
  /** Days to keep audit events; null keeps them forever. */
  retentionDays: z
    .number({ error: "Enter a number of days" })
    .int("Use whole days")
    .min(7, "Keep at least 7 days")
    .max(3650, "At most 3650 days (10 years)")
    .nullable(),
});

export type CreateWebhookInput = z.infer<typeof createWebhookSchema>;
export type UpdateWebhookInput = z.infer<typeof updateWebhookSchema>;
