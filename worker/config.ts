// The worker's configuration. It holds no database credentials: everything it knows about
// the fleet comes from the control plane's worker API, as the host it enrolled as.
import { hostname } from "node:os";
import { z } from "zod";
import { parseEnv } from "../common/env.ts";

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
  /** One-time token from an operator; needed until this host has enrolled. */
  CORRAL_ENROLMENT_TOKEN: z.string().min(1).optional(),
  /** Where the host's credential is kept after enrolment. */
  CORRAL_WORKER_STATE_DIR: z.string().min(1).default("/var/lib/corral/worker"),
  CORRAL_WORKER_NAME: z
    .string()
    .min(1)
    .max(64)
    .regex(
      /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/,
      "CORRAL_WORKER_NAME: letters, digits, dot, dash and underscore only",
    )
    .default(hostname().slice(0, 64)),
  CORRAL_WORKER_LABELS: labelList,
  DOCKER_HOST: z.string().default("unix:///var/run/docker.sock"),
  /**
   * The walls this host offers: engine-container (a privileged container with a private
   * engine), microvm (a QEMU microvm with its own kernel and engine; needs qemu-system-x86
   * and qemu-utils), both, or auto (both where QEMU is installed and KVM works, else
   * engine-container: under TCG a microvm is several times slower to start). A host with
   * both makes each sandbox in the isolation its organisation was placed with.
   */
  CORRAL_SANDBOX_DRIVER: z
    .enum(["engine-container", "microvm", "both", "auto"])
    .default("engine-container"),
  /** production: privileged-container sandboxes on plain runc are refused (see below). */
  NODE_ENV: z.string().optional(),
  /**
   * Accept privileged-container sandboxes on plain runc (or runc-privfix) in production:
   * one escape is then root on the host. sysbox-runc needs no such consent.
   */
  CORRAL_ALLOW_PRIVILEGED_RUNC: z
    .enum(["true", "false"], { error: "CORRAL_ALLOW_PRIVILEGED_RUNC must be true or false" })
    .default("false")
    .transform((v) => v === "true"),
  /** OCI runtime of the privileged sandbox containers: runc, sysbox-runc, or runc-privfix. */
  CORRAL_SANDBOX_RUNTIME: z.string().min(1).default("runc"),
  /** Host folder holding each sandbox's private engine socket. */
  CORRAL_SANDBOX_DIR: z.string().min(1).default("/var/lib/corral/sandboxes"),
  /**
   * Each sandbox's disk in MiB (engine images, containers, agents' workspaces), reserved on
   * the host when the sandbox is made: one tenant can fill only its own.
   */
  CORRAL_SANDBOX_STORAGE_MB: z.coerce.number().int().min(256).default(10240),
  /** Prometheus /metrics of this worker (reconcile, gateway); off unless a port is set. */
  CORRAL_WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  CORRAL_METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  /** Seconds between full reconcile passes when nothing changes (drift repair). */
  CORRAL_RESYNC_SECONDS: z.coerce.number().int().positive().default(15),
  /**
   * Keep each stopped agent's next run created (never started) in its sandbox, so starting
   * it again is only an engine start; costs one idle container per stopped agent.
   */
  CORRAL_WARM_STARTS: z
    .enum(["true", "false"], { error: "CORRAL_WARM_STARTS must be true or false" })
    .default("true")
    .transform((v) => v === "true"),
  /** Internal address ranges (CIDR) agents may reach through the gateway; none by default. */
  CORRAL_GATEWAY_ALLOW_RANGES: z
    .string()
    .default("")
    .transform((text) =>
      text
        .split(",")
        .map((r) => r.trim())
        .filter(Boolean),
    ),
  /** `name=ip,…` the gateway resolves without DNS (air-gapped hosts, tests). */
  CORRAL_GATEWAY_STATIC_HOSTS: labelList,
  /** Registries sandboxes may pull agent images from, comma-separated; none by default. */
  CORRAL_SANDBOX_REGISTRIES: z
    .string()
    .default("")
    .transform((text) =>
      text
        .split(",")
        .map((r) => r.trim().toLowerCase())
        .filter(Boolean),
    ),
  /** A PEM file of extra CAs the gateway trusts for upstream TLS (a corporate or test CA). */
  CORRAL_GATEWAY_UPSTREAM_CA: z.string().min(1).optional(),
});

export type WorkerConfig = z.infer<typeof workerConfigSchema>;

export function workerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  return parseEnv(workerConfigSchema, env);
}
