// The control plane's configuration, read from the environment and validated once.
// Touch this file when adding a setting; document it in the README's table as well.
import { z } from "zod";
import { parseEnv } from "../../common/env.ts";

const webConfigSchema = z
  .object({
    DATABASE_URL: z
      .string({ error: "DATABASE_URL is not set (npm run up provides an embedded PostgreSQL)" })
      .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgresql:// URL"),
    AUTH_SECRET: z
      .string({ error: "AUTH_SECRET is not set (npm run up generates one)" })
      .min(32, "AUTH_SECRET must be at least 32 characters"),
    CORRAL_SECRET_KEY: z
      .string({ error: "CORRAL_SECRET_KEY is not set (npm run up generates one)" })
      .min(32, "CORRAL_SECRET_KEY must be at least 32 characters"),
    CORRAL_SESSION_MAX_AGE_HOURS: z.coerce
      .number()
      .int()
      .positive()
      .default(24 * 14),
    CORRAL_WORKER_HEARTBEAT_SECONDS: z.coerce.number().int().positive().default(5),
    /// How many organisations one person may own (a brake on filling a fleet with idle tenants).
    CORRAL_MAX_ORGS_PER_USER: z.coerce.number().int().positive().default(10),
    CORRAL_WORKER_DEADLINE_SECONDS: z.coerce.number().int().positive().default(20),
    /// Sign-in attempts one client address may make per 15 minutes.
    CORRAL_SIGN_IN_ATTEMPTS_PER_IP: z.coerce.number().int().positive().default(30),
    AUTH_URL: z
      .url({ protocol: /^https?$/, error: "AUTH_URL must be an http(s) URL" })
      .default("http://localhost:3000"),
    CORRAL_SMTP_URL: z
      .url({ protocol: /^smtps?$/, error: "CORRAL_SMTP_URL must be an smtp:// or smtps:// URL" })
      .default("smtp://127.0.0.1:2525"),
    CORRAL_MAIL_FROM: z.string().min(3).default("Corral <no-reply@corral.local>"),
    /// Where the development mail sink shows captured mail; unset in production.
    CORRAL_MAIL_SINK_URL: z.url().optional(),
    CORRAL_INVITATION_TTL_DAYS: z.coerce.number().positive().default(7),
    CORRAL_EMAIL_VERIFICATION_TTL_HOURS: z.coerce.number().positive().default(48),
    /// Single sign-on with any OpenID Connect provider; off unless the issuer is set.
    CORRAL_OIDC_ISSUER: z
      .url({ protocol: /^https?$/, error: "CORRAL_OIDC_ISSUER must be an http(s) URL" })
      .optional(),
    CORRAL_OIDC_CLIENT_ID: z.string().min(1).optional(),
    CORRAL_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    CORRAL_OIDC_NAME: z.string().min(1).default("Single sign-on"),
    /// Webhooks may target loopback and private addresses only when this is set (development).
    CORRAL_WEBHOOK_ALLOW_PRIVATE: z
      .enum(["true", "false"])
      .default("false")
      .transform((v) => v === "true"),
  })
  .refine(
    (c) => !c.CORRAL_OIDC_ISSUER || (c.CORRAL_OIDC_CLIENT_ID && c.CORRAL_OIDC_CLIENT_SECRET),
    {
      path: ["CORRAL_OIDC_CLIENT_ID"],
      error:
        "CORRAL_OIDC_ISSUER is set, so CORRAL_OIDC_CLIENT_ID and CORRAL_OIDC_CLIENT_SECRET are needed too",
    },
  );

export type WebConfig = z.infer<typeof webConfigSchema>;

let cached: WebConfig | undefined;

/** The validated configuration; throws a one-line ConfigError when it is incomplete. */
export function webConfig(): WebConfig {
  if (!cached) {
    cached = parseEnv(webConfigSchema, process.env);
    // Auth.js reads AUTH_URL from the environment and, when it is missing, builds links and
    // redirects from the request's Host / X-Forwarded-Host, which a client chooses. Pin it.
    process.env.AUTH_URL ??= cached.AUTH_URL;
  }
  return cached;
}
