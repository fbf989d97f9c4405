// What an agent is made of; the same schemas validate the API and the forms as you type.
import { z } from "zod";
import { credentialLooking } from "./credential-values.ts";

/** Built locally from Debian packages (infra/images); loaded into each sandbox's engine. */
export const defaultAgentImage = "corral/agent-base:latest";
/** The default agent runtime: a model tool-use loop that takes tasks (infra/images/agent-runtime). */
export const runtimeAgentImage = "corral/agent-runtime:latest";

// Secrets never go in an agent's environment: they stay outside the sandbox and are added
// to outgoing calls by the credential proxy. Refuse names that look like one.
const secretLooking =
  /(SECRET|PASSWORD|PASSWD|_PASS$|^PWD$|TOKEN|API_?KEY|_KEY$|_KEY_ID$|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH|DSN$|DATABASE_URL)/i;

export const agentNameSchema = z
  .string()
  .trim()
  .min(1, "Name the agent")
  .max(48, "Use at most 48 characters")
  .regex(
    /^[a-z0-9][a-z0-9-]*$/,
    "Use lower-case letters, digits and dashes, starting with a letter or digit",
  );

export const agentEnvSchema = z
  .record(z.string().max(128), z.string().max(4096, "Values are at most 4096 characters"))
  .superRefine((env, ctx) => {
    const names = Object.keys(env);
    if (names.length > 64) ctx.addIssue({ code: "custom", message: "At most 64 variables" });
    for (const name of names) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `${name}: names are letters, digits and _`,
        });
      else if (secretLooking.test(name))
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `${name} looks like a secret: secrets never go in an agent's environment`,
        });
      else {
        const looks = credentialLooking(env[name] ?? "");
        if (looks)
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: `${name} holds what looks like ${looks}: add it under Secrets and grant it to the agent instead`,
          });
      }
    }
  });

export const agentSpecSchema = z.object({
  image: z
    .string()
    .trim()
    .min(1, "Name an image")
    .max(255)
    .regex(/^[a-z0-9][a-z0-9._\-/:@]*$/i, "An image reference such as corral/agent-base:1"),
  command: z.array(z.string().max(4096)).max(64).default([]),
  env: agentEnvSchema.default({}),
  cpuMillis: z
    .number({ error: "Enter CPU in millicores" })
    .int()
    .min(100, "At least 100 millicores (0.1 CPU)")
    .max(16000, "At most 16 CPUs"),
  memoryMb: z
    .number({ error: "Enter memory in MiB" })
    .int()
    .min(64, "At least 64 MiB")
    .max(65536, "At most 64 GiB"),
  workspaceMb: z
    .number({ error: "Enter workspace size in MiB" })
    .int()
    .min(64, "At least 64 MiB")
    .max(102400, "At most 100 GiB"),
});

export const createAgentSchema = agentSpecSchema.extend({
  name: agentNameSchema,
  /** Start it right away. */
  start: z.boolean().default(false),
});

export const updateAgentSchema = agentSpecSchema
  .partial()
  .extend({ agentId: z.string().min(1).max(64) });

export type CreateAgentInput = z.infer<typeof createAgentSchema>;
export type UpdateAgentInput = z.infer<typeof updateAgentSchema>;

/** Splits a command line on spaces, keeping "quoted parts" together. */
export function splitCommand(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

/** KEY=value lines into a record (blank lines and # comments skipped). */
export function parseEnvLines(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    env[eq === -1 ? line : line.slice(0, eq)] = eq === -1 ? "" : line.slice(eq + 1);
  }
  return env;
}
