// The worker's configuration. It holds no database credentials: everything it knows
// about the fleet comes from the control plane's worker API.
import { hostname } from "node:os";
import { z } from "zod";
import { parseEnv } from "../server/core/env.ts";

const labelList = z
  .string()
  .default("")
  .transform((text, ctx) => {
    const labels: Record<string, string> = {};
    for (const pair of text.split(",").filter((p) => p.trim())) {
      const [key, value] = pair.split("=").map((s) => s.trim());
      if (!key || value === undefined) {
        ctx.addIssue({ code: "custom", message: `label "${pair}" is not key=value` });
        return z.NEVER;
      }
      labels[key] = value;
    }
    return labels;
  });

const workerConfigSchema = z.object({
  CORRAL_CONTROL_PLANE_URL: z
    .url({ protocol: /^https?$/, error: "CORRAL_CONTROL_PLANE_URL must be an http(s) URL" })
    .default("http://localhost:3000"),
  CORRAL_WORKER_TOKEN: z
    .string({
      error: "CORRAL_WORKER_TOKEN is not set: copy it from the control plane's environment",
    })
    .min(32, "CORRAL_WORKER_TOKEN must be at least 32 characters"),
  CORRAL_WORKER_NAME: z.string().min(1).default(hostname()),
  CORRAL_WORKER_LABELS: labelList,
  DOCKER_HOST: z.string().default("unix:///var/run/docker.sock"),
});

export type WorkerConfig = z.infer<typeof workerConfigSchema>;

export function workerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  return parseEnv(workerConfigSchema, env);
}
