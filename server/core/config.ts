// The control plane's configuration, read from the environment and validated once.
// Touch this file when adding a setting; document it in the README's table as well.
import { z } from "zod";
import { parseEnv } from "./env.ts";

const webConfigSchema = z.object({
  DATABASE_URL: z
    .string({ error: "DATABASE_URL is not set (npm run up provides an embedded PostgreSQL)" })
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgresql:// URL"),
  AUTH_SECRET: z
    .string({ error: "AUTH_SECRET is not set (npm run up generates one)" })
    .min(32, "AUTH_SECRET must be at least 32 characters"),
  CORRAL_WORKER_TOKEN: z
    .string({ error: "CORRAL_WORKER_TOKEN is not set (npm run up generates one)" })
    .min(32, "CORRAL_WORKER_TOKEN must be at least 32 characters"),
  CORRAL_SESSION_MAX_AGE_HOURS: z.coerce
    .number()
    .int()
    .positive()
    .default(24 * 14),
  CORRAL_WORKER_HEARTBEAT_SECONDS: z.coerce.number().int().positive().default(5),
  CORRAL_WORKER_DEADLINE_SECONDS: z.coerce.number().int().positive().default(20),
});

export type WebConfig = z.infer<typeof webConfigSchema>;

let cached: WebConfig | undefined;

/** The validated configuration; throws a one-line ConfigError when it is incomplete. */
export function webConfig(): WebConfig {
  cached ??= parseEnv(webConfigSchema, process.env);
  return cached;
}
