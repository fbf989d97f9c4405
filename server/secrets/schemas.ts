// What secrets and grants are made of; the same schemas validate the API and the forms.
import { z } from "zod";
import {
  grantHeaderNameSchema,
  grantTemplateSchema,
  hostPatternSchema,
} from "../../common/egress-policy.ts";

export const secretNameSchema = z
  .string()
  .trim()
  .min(1, "Name the secret")
  .max(64, "Use at most 64 characters")
  .regex(
    /^[A-Za-z][A-Za-z0-9_.-]*$/,
    "Letters, digits, dot, dash and underscore, starting with a letter",
  );

/** The value is sent in a header: one line of printable text. */
export const secretValueSchema = z
  .string()
  .min(1, "Enter the value")
  .max(8192, "Values are at most 8192 characters")
  .refine(
    (value) => ![...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f),
    "One line, without control characters",
  );

export const createSecretSchema = z.object({
  name: secretNameSchema,
  description: z.string().trim().max(500).default(""),
  value: secretValueSchema,
});

export const secretId = z.object({ secretId: z.string().min(1).max(64) });

export const rotateSecretSchema = secretId.extend({ value: secretValueSchema });
export const updateSecretSchema = secretId.extend({ description: z.string().trim().max(500) });
export const deleteSecretSchema = secretId.extend({ confirmName: z.string().max(64) });

const envName = z
  .string()
  .trim()
  .max(128)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "An environment variable name such as ANTHROPIC_API_KEY");

export const grantSecretSchema = z.object({
  secretId: z.string().min(1).max(64),
  agentId: z.string().min(1).max(64),
  hosts: z.array(hostPatternSchema).min(1, "Name at least one host").max(20),
  pathPrefix: z
    .string()
    .trim()
    .max(512)
    .regex(/^\/[^\s]*$/, "A path such as /v1/")
    .optional(),
  headerName: grantHeaderNameSchema,
  headerTemplate: grantTemplateSchema.default("{value}"),
  /** The agent gets this variable holding a placeholder that is useless anywhere else. */
  placeholderEnv: envName.optional(),
});

export const secretUsesSchema = z.object({
  agentId: z.string().max(64).optional(),
  secretId: z.string().max(64).optional(),
  host: z.string().trim().max(253).optional(),
  /** Rows with an id below this one (the next page). */
  before: z.string().regex(/^\d+$/).optional(),
  limit: z.number().int().min(1).max(500).default(100),
});

export type CreateSecretInput = z.infer<typeof createSecretSchema>;
export type GrantSecretInput = z.infer<typeof grantSecretSchema>;
export type SecretUsesInput = z.infer<typeof secretUsesSchema>;
