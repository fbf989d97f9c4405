// The HTTP contract between workers and the control plane, shared by both sides.
// Versioned in the URL (/api/worker/v1/...); bump it when a change is not additive.
import { z } from "zod";

export const workerApiBase = "/api/worker/v1";

export const engineInfoSchema = z.object({
  serverVersion: z.string().max(64),
  operatingSystem: z.string().max(256),
  cpus: z.number().int().nonnegative(),
  memoryBytes: z.number().int().nonnegative(),
  containers: z.number().int().nonnegative(),
  runtimes: z.array(z.string().max(64)).max(32),
});

const hostName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, "letters, digits, dot, dash and underscore only");
const labels = z.record(z.string().max(64), z.string().max(256));

/** What a host says about itself, at enrolment and in every heartbeat. */
export const hostReportSchema = z.object({
  name: hostName,
  version: z.string().min(1).max(32),
  labels: labels.default({}),
  engine: engineInfoSchema,
  driver: z.object({
    name: z.string().max(64),
    healthy: z.boolean(),
    reason: z.string().max(500).optional(),
    capacity: z.object({
      cpus: z.number().nonnegative(),
      memoryMb: z.number().int().nonnegative(),
    }),
  }),
});

export const enrolRequestSchema = hostReportSchema.extend({
  token: z.string().min(1).max(200),
});
export const enrolResponseSchema = z.object({ hostId: z.string(), credential: z.string() });

export const heartbeatRequestSchema = hostReportSchema;
export const heartbeatResponseSchema = z.object({
  hostId: z.string(),
  heartbeatSeconds: z.number().int().positive(),
});

/** What one host should run: its sandboxes and their agents. */
export const desiredAgentSchema = z.object({
  agentId: z.string(),
  name: z.string(),
  generation: z.number().int(),
  desiredState: z.enum(["RUNNING", "STOPPED"]),
  image: z.string(),
  command: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  cpus: z.number(),
  memoryMb: z.number().int(),
  pids: z.number().int(),
  workspaceMb: z.number().int(),
});
export const desiredSandboxSchema = z.object({
  tenantId: z.string(),
  tenantSlug: z.string(),
  cpus: z.number(),
  memoryMb: z.number().int(),
  agents: z.array(desiredAgentSchema),
});
export const desiredStateSchema = z.object({
  /** Long-poll with ?after=<version>: the answer comes when it changes (or after a while). */
  version: z.number().int(),
  sandboxes: z.array(desiredSandboxSchema),
});

export const observedAgentStates = [
  "PENDING",
  "PROVISIONING",
  "RUNNING",
  "STOPPING",
  "STOPPED",
  "FAILED",
  "CRASH_LOOPING",
] as const;

/** What a host saw. Only changes since its last report, plus logs and stats. */
export const reportRequestSchema = z.object({
  sandboxes: z
    .array(
      z.object({
        tenantId: z.string().max(64),
        state: z.enum(["PROVISIONING", "READY", "FAILED"]),
        reason: z.string().max(1000).optional(),
      }),
    )
    .max(1000)
    .default([]),
  agents: z
    .array(
      z.object({
        agentId: z.string().max(64),
        generation: z.number().int().min(0).max(2_147_483_647),
        state: z.enum(observedAgentStates),
        reason: z.string().max(1000).optional(),
        restartCount: z.number().int().nonnegative().default(0),
        startedAt: z.iso.datetime({ offset: true }).optional(),
      }),
    )
    .max(5000)
    .default([]),
  logs: z
    .array(
      z.object({
        agentId: z.string().max(64),
        lines: z
          .array(
            z.object({
              at: z.iso.datetime({ offset: true }),
              stream: z.enum(["stdout", "stderr"]),
              text: z.string().max(8192),
            }),
          )
          .max(1000),
      }),
    )
    .max(1000)
    .default([]),
  stats: z
    .array(
      z.object({
        agentId: z.string().max(64),
        cpuPercent: z.number().nonnegative(),
        memoryBytes: z.number().nonnegative(),
        memoryLimitBytes: z.number().nonnegative(),
        pids: z.number().int().nonnegative(),
      }),
    )
    .max(5000)
    .default([]),
});

export type EngineInfo = z.infer<typeof engineInfoSchema>;
export type HostReport = z.infer<typeof hostReportSchema>;
export type EnrolRequest = z.infer<typeof enrolRequestSchema>;
export type EnrolResponse = z.infer<typeof enrolResponseSchema>;
export type HeartbeatRequest = z.infer<typeof heartbeatRequestSchema>;
export type HeartbeatResponse = z.infer<typeof heartbeatResponseSchema>;
export type DesiredAgent = z.infer<typeof desiredAgentSchema>;
export type DesiredSandbox = z.infer<typeof desiredSandboxSchema>;
export type DesiredState = z.infer<typeof desiredStateSchema>;
export type ReportRequest = z.input<typeof reportRequestSchema>;
export type ObservedAgentState = (typeof observedAgentStates)[number];
