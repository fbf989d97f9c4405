// Turning environment variables into typed settings, shared by the web app and the worker.
import type { z } from "zod";
import { ConfigError } from "./errors.ts";

/** Parses `env` against `schema`, turning the first problem into a one-line ConfigError. */
export function parseEnv<T extends z.ZodType>(
  schema: T,
  env: Record<string, string | undefined>,
): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue?.path.join(".") || "configuration";
  const message = issue?.message ?? "invalid";
  throw new ConfigError(message.includes(name) ? message : `${name}: ${message}`);
}
