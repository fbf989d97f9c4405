// The HTTP contract between workers and the control plane, shared by both sides.
import { z } from "zod";
import { egressPresets, egressRuleSchema } from "./egress-policy.ts";
import { nextRequestSchema, taskEventSchema, taskForAgentSchema } from "./task-contract.ts";

export const workerApiBase = "/api/worker/v1";

// ── Versions ──
// The path names the API; the protocol version, which the worker sends in the
// Corral-Worker-Protocol header on every request, names the revision of its shapes. The rule:
// - A control plane serves its own version N and the one before, N−1: upgrade the control
//   plane first, then the workers host by host. Other versions get 426 and a line saying
//   which side to upgrade.
// - Within a version, changes are additive: a new request field is optional, with a default
//   meaning what older workers meant; a new answer field is one older workers may ignore
//   (their zod objects drop keys they do not know).
// - Anything else (a field removed, renamed, retyped or made required, a status code that
//   changes meaning) bumps the version, and the control plane keeps answering N−1 workers
//   in N−1's terms until the version after.
// - No header: version 1, the workers from before the header.
// - server/fleet/protocol-compat/ holds the recorded conversation of version N−1 and a test
//   that replays it against the current routes. Bumping: record the current version first
//   (its record.ts), then change the shapes and the number.
// Version 2: the worker names its version (nothing else changed from 1).
export const workerProtocolVersion = 2;
export const oldestWorkerProtocolVersion = workerProtocolVersion - 1;
export const workerProtocolHeader = "corral-worker-protocol";

/** Why a worker of the version its headers name is not served, or null when it is. */
export function unsupportedWorkerProtocol(headers: Headers): string | null {
  const sent = headers.get(workerProtocolHeader);
  const version = sent === null ? 1 : /^\d{1,4}$/.test(sent.trim()) ? Number(sent) : Number.NaN;
  if (version >= oldestWorkerProtocolVersion && version <= workerProtocolVersion) return null;
  const served = `this control plane serves versions ${oldestWorkerProtocolVersion} and ${workerProtocolVersion}`;
  if (Number.isNaN(version)) return `${workerProtocolHeader} must be a version number; ${served}`;
  return version > workerProtocolVersion
    ? `this worker speaks protocol ${version}; ${served}: upgrade the control plane first`
    : `this worker speaks protocol ${version}; ${served}: upgrade the worker`;
}

// Far beyond any machine, and within what the database stores (capacity in 32-bit millicores).
const maxCpus = 65_536;
const maxMemoryMb = 2 ** 31 - 1;
/** A count the database keeps in 32 bits (restarts, processes, versions). */
const count = z
  .number()
  .int()
  .nonnegative()
  .max(2 ** 31 - 1);
/** Bytes, kept in 64 bits: any integer a number holds exactly. */
const bytes = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const engineInfoSchema = z.object({
  serverVersion: z.string().max(64),
  operatingSystem: z.string().max(256),
  cpus: z.number().int().nonnegative().max(maxCpus),
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
      cpus: z.number().nonnegative().max(maxCpus),
      memoryMb: z.number().int().nonnegative().max(maxMemoryMb),
    }),
  }),
});

export const enrolRequestSchema = hostReportSchema.extend({
  token: z.string().min(1).max(200),
  /**
   * The credential the worker chose (32 random bytes), so that an enrolment whose answer was
   * lost can be asked again with the same token and get the same host back. Optional: without
   * it the control plane chooses, as version 1 workers expect.
   */
  credential: z
    .string()
    .regex(/^crlh_[A-Za-z0-9_-]{43}$/, "credential: crlh_ and 32 random bytes in base64url")
    .optional(),
});
export const enrolResponseSchema = z.object({ hostId: z.string(), credential: z.string() });

export const heartbeatRequestSchema = hostReportSchema;
export const heartbeatResponseSchema = z.object({
  hostId: z.string(),
  heartbeatSeconds: z.number().int().positive(),
});

/**
 * A secret granted to an agent, as the gateway needs it: decrypted, sent only to the host
 * holding the tenant's sandbox, kept in memory there and never handed to the sandbox.
 */
export const desiredGrantSchema = z.object({
  grantId: z.string(),
  secretId: z.string(),
  secretName: z.string(),
  version: z.number().int(),
  value: z.string(),
  hosts: z.array(z.string()),
  pathPrefix: z.string().nullable(),
  headerName: z.string(),
  headerTemplate: z.string(),
  placeholderEnv: z.string().nullable(),
});

export const desiredEgressSchema = z.object({
  preset: z.enum(egressPresets),
  rules: z.array(egressRuleSchema),
  quarantined: z.boolean(),
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
  // Added with the egress gateway; a control plane without it means "no network".
  egress: desiredEgressSchema.default({ preset: "NONE", rules: [], quarantined: false }),
  grants: z.array(desiredGrantSchema).default([]),
});
/** A tenant's wall: its own kernel (microvm) or a privileged container with its own engine. */
export const sandboxIsolations = ["microvm", "container"] as const;
export const desiredSandboxSchema = z.object({
  tenantId: z.string(),
  tenantSlug: z.string(),
  /** Which driver makes it; null (or a control plane without it): the worker's default. */
  isolation: z.enum(sandboxIsolations).nullish(),
  cpus: z.number(),
  memoryMb: z.number().int(),
  /** Host patterns no agent of the tenant may go beyond; null: no ceiling. */
  egressCeiling: z.array(z.string()).nullable().default(null),
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

const text = (max: number) => z.string().max(max);

/** What the host's egress gateway did since the last report. */
export const egressReportSchema = z.object({
  /** Every denial, and a sample of allowed requests (for the live view). */
  decisions: z
    .array(
      z.object({
        agentId: text(64),
        at: z.iso.datetime({ offset: true }),
        allowed: z.boolean(),
        host: text(253),
        port: z.number().int().min(0).max(65535),
        method: text(16),
        path: text(2048),
        reason: text(500),
        status: z.number().int().min(0).max(999).optional(),
      }),
    )
    .max(5000)
    .default([]),
  /** Each request a secret was added to (the ledger). */
  uses: z
    .array(
      z.object({
        agentId: text(64),
        secretId: text(64),
        version: count,
        at: z.iso.datetime({ offset: true }),
        host: text(253),
        method: text(16),
        path: text(2048),
        status: z.number().int().min(0).max(999),
        bytes: z.number().int().nonnegative(),
      }),
    )
    .max(5000)
    .default([]),
  /** Allowed traffic per agent, host and minute (finished minutes). */
  allowed: z
    .array(
      z.object({
        agentId: text(64),
        host: text(253),
        minute: z.iso.datetime({ offset: true }),
        requests: z.number().int().nonnegative(),
        bytes: z.number().int().nonnegative(),
      }),
    )
    .max(5000)
    .default([]),
});

/** Disk use measured on the host (sent when it changed): sandboxes' storage, workspaces. */
export const diskReportSchema = z.object({
  sandboxes: z
    .array(z.object({ tenantId: z.string().max(64), usedBytes: bytes, sizeBytes: bytes }))
    .max(1000)
    .default([]),
  workspaces: z
    .array(z.object({ agentId: z.string().max(64), usedBytes: bytes, sizeBytes: bytes }))
    .max(5000)
    .default([]),
});

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
        restartCount: count.default(0),
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
        memoryBytes: z.number().nonnegative().max(Number.MAX_SAFE_INTEGER),
        memoryLimitBytes: z.number().nonnegative().max(Number.MAX_SAFE_INTEGER),
        pids: count,
      }),
    )
    .max(5000)
    .default([]),
  egress: egressReportSchema.default({ decisions: [], uses: [], allowed: [] }),
  disk: diskReportSchema.default({ sandboxes: [], workspaces: [] }),
});

// ── The task contract, relayed (common/task-contract.ts is what agents speak) ──

/** POST tasks/next: an agent of this host asks for work (long-poll). */
export const taskNextRequestSchema = nextRequestSchema.extend({
  agentId: z.string().min(1).max(64),
  generation: z.number().int().min(0),
});
export const taskNextResponseSchema = z.object({ task: taskForAgentSchema });

/** POST tasks/events: what the agent did. Answers { cancel }. */
export const taskEventsRequestSchema = z.object({
  agentId: z.string().min(1).max(64),
  taskId: z.string().min(1).max(64),
  events: z.array(taskEventSchema).min(1).max(500),
});

export type TaskNextRequest = z.input<typeof taskNextRequestSchema>;
export type TaskEventsRequest = z.input<typeof taskEventsRequestSchema>;

export type EngineInfo = z.infer<typeof engineInfoSchema>;
export type HostReport = z.infer<typeof hostReportSchema>;
export type EnrolRequest = z.infer<typeof enrolRequestSchema>;
export type EnrolResponse = z.infer<typeof enrolResponseSchema>;
export type HeartbeatRequest = z.infer<typeof heartbeatRequestSchema>;
export type HeartbeatResponse = z.infer<typeof heartbeatResponseSchema>;
export type DesiredAgent = z.infer<typeof desiredAgentSchema>;
export type DesiredGrant = z.infer<typeof desiredGrantSchema>;
export type EgressReport = z.infer<typeof egressReportSchema>;
export type DiskReport = z.infer<typeof diskReportSchema>;
export type DesiredSandbox = z.infer<typeof desiredSandboxSchema>;
export type SandboxIsolation = (typeof sandboxIsolations)[number];
export type DesiredState = z.infer<typeof desiredStateSchema>;
export type ReportRequest = z.input<typeof reportRequestSchema>;
export type ObservedAgentState = (typeof observedAgentStates)[number];

/**
 * Whether a report carries nothing: every list in it (and in its sections) is empty. A quiet
 * host has nothing to report; only empty lists count as nothing, so a field added to the
 * protocol is never skipped by mistake.
 */
export function isEmptyReport(report: object): boolean {
  const empty = (part: unknown): boolean =>
    Array.isArray(part)
      ? part.length === 0
      : part === undefined ||
        (typeof part === "object" && part !== null && Object.values(part).every(empty));
  return empty(report);
}
