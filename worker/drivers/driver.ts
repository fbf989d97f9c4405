// The sandbox driver seam. The reconciler and the fleet agent import this interface, never a
// driver: a driver turns "this tenant has a sandbox with these agents" into real isolation
// (a private container engine today, a microVM later). Every operation is idempotent, and
// everything a driver creates carries labels (corral.tenant, corral.agent,
// corral.generation), so after a crash the world is re-discovered with list*, not remembered.
import type { SandboxIsolation } from "../../common/worker-protocol.ts";

/** What a tenant's sandbox must be: its quota is the sandbox's own resource limit. */
export interface SandboxSpec {
  tenantId: string;
  /** For names and logs only. */
  tenantSlug: string;
  cpus: number;
  memoryMb: number;
  /** The wall it needs (a host running both drivers picks by it); absent: the host's default. */
  isolation?: SandboxIsolation;
}

/**
 * Where the egress gateway serves one tenant on this host. The driver chooses the paths and
 * carries them into the sandbox: the socket becomes the agents' only route out, and the CA
 * bundle (the tenant's gateway CA plus the public roots) the certificates they trust.
 */
export interface GatewayEndpoint {
  socketPath: string;
  caBundlePath: string;
}

/** How an agent of one generation identifies itself to the gateway, and its placeholders. */
export interface AgentGatewayAccess {
  username: string;
  token: string;
  /** Environment variables holding opaque placeholders for granted secrets. */
  placeholders: Record<string, string>;
}

/** What an agent container must be. A new generation means "replace the container". */
export interface AgentSpec {
  tenantId: string;
  agentId: string;
  name: string;
  generation: number;
  image: string;
  command: string[];
  /** Non-secret settings only; secrets never enter a sandbox. */
  env: Record<string, string>;
  cpus: number;
  memoryMb: number;
  pids: number;
  workspaceMb: number;
  /** Its door to the world; without it the agent has no network at all. */
  gateway?: AgentGatewayAccess;
  /**
   * A stopped agent's next run: made ready ahead, its container already running a short prelude
   * that waits for the start before it becomes the agent's process. Drivers (or images) that
   * cannot hold leave it created, so its start is an engine start only.
   */
  hold?: boolean;
}

export interface ObservedSandbox {
  tenantId: string;
  /** The sandbox's engine answers and agents can be managed. */
  ready: boolean;
  reason?: string;
  /** Which wall holds it, where a host runs more than one. */
  isolation?: SandboxIsolation;
}

export type ContainerState = "created" | "running" | "restarting" | "exited" | "paused" | "dead";

export interface ObservedAgent {
  tenantId: string;
  agentId: string;
  generation: number;
  containerId: string;
  state: ContainerState;
  exitCode?: number;
  oomKilled?: boolean;
  /** Restarts the engine made after crashes (on-failure policy, with its back-off). */
  restartCount: number;
  startedAt?: string;
  finishedAt?: string;
  error?: string;
  /** Live, but a limit it should run with is not applied yet: startAgent applies it. */
  limitsPending?: boolean;
  /** Made to be held: started and frozen before the agent's process until its start. */
  held?: boolean;
}

export interface AgentStats {
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  pids: number;
}

/** How full a fixed-size filesystem is, in bytes (as `df` sees it: size excludes its own overhead). */
export interface DiskUse {
  usedBytes: number;
  sizeBytes: number;
}

/** A sandbox's storage (images, containers, workspaces: the tenant's disk) and each workspace. */
export interface SandboxDiskUsage {
  store: DiskUse | null;
  /** By agent id; agents whose workspace is not mounted are missing. */
  workspaces: Map<string, DiskUse>;
}

export interface DriverFingerprint {
  driver: string;
  healthy: boolean;
  reason?: string;
  /** Labels this host gets for placement, e.g. { microvm: "false" }. */
  labels: Record<string, string>;
  capacity: { cpus: number; memoryMb: number };
}

/** Thrown for an operation a driver cannot do (never a silent no-op). */
export class NotSupportedError extends Error {}

/** An agent cannot be created as asked (e.g. its image cannot be found or pulled). */
export class AgentSpecError extends Error {}

export interface SandboxDriver {
  readonly name: string;
  fingerprint(): Promise<DriverFingerprint>;

  /** Creates or repairs the tenant's sandbox and waits until its engine answers. */
  ensureSandbox(spec: SandboxSpec): Promise<void>;
  /** Removes the sandbox, its agents and its private storage. */
  destroySandbox(tenantId: string): Promise<void>;
  /**
   * Every sandbox this driver owns on this host, or with `only`, those of these tenants (a
   * pass over one tenant should not check every sandbox's engine on a crowded host).
   */
  listSandboxes(only?: ReadonlySet<string>): Promise<ObservedSandbox[]>;
  /** Where the gateway must listen for this tenant (valid once its sandbox exists). */
  gatewayEndpoint(tenantId: string): GatewayEndpoint;

  /** Every agent container in the tenant's sandbox. */
  listAgents(tenantId: string): Promise<ObservedAgent[]>;
  /** Creates the agent's container (image made available first) without starting it. */
  createAgent(spec: AgentSpec): Promise<void>;
  startAgent(tenantId: string, agentId: string): Promise<void>;
  stopAgent(tenantId: string, agentId: string): Promise<void>;
  /**
   * Removes the agent's containers (every generation, or all but `keepGeneration`); the
   * workspace volume is kept unless `purge`.
   */
  removeAgent(
    tenantId: string,
    agentId: string,
    options?: { purge?: boolean; keepGeneration?: number },
  ): Promise<void>;

  logs(
    tenantId: string,
    agentId: string,
    options: { since?: Date; tail?: number },
  ): Promise<LogLine[]>;
  stats(tenantId: string, agentId: string): Promise<AgentStats>;
  /** Disk use of the sandbox's storage and of these agents' workspaces. */
  diskUsage(tenantId: string, agentIds: string[]): Promise<SandboxDiskUsage>;
  exec(
    tenantId: string,
    agentId: string,
    command: string[],
  ): Promise<{ exitCode: number; output: string }>;
}

export interface LogLine {
  at: string;
  stream: "stdout" | "stderr";
  text: string;
}
