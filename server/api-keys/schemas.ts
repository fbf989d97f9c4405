import { z } from "zod";
import { permissions } from "../auth/permissions.ts";

export const expiryChoices = [30, 90, 365] as const;

/** Permissions a key can carry: keys never manage keys. */
export const keyScopes = permissions.filter((p) => !p.startsWith("api_key.")) as [
  (typeof permissions)[number],
  ...(typeof permissions)[number][],
];

export const createApiKeySchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Name the key after what uses it")
    .max(64, "Use at most 64 characters"),
  scopes: z.array(z.enum(keyScopes)).min(1, "Choose at least one permission"),
  /** Days until the key stops working; null for a key that does not expire. */
  expiresInDays: z.number().int().min(1).max(365).nullable(),
});

export type CreateApiKeyInput = z.infer<typeof createApiKeySchema>;
