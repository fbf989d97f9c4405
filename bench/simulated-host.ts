// A simulated sandbox host for the fleet-scale benchmark. Everything above the sandbox is the
// real worker: runFleetAgent (enrolment, heartbeats, the desired-state long-poll, the
// reconciler, telemetry and reports) over the real ControlPlaneClient and HTTP. Only what a
// driver would do to a machine is simulated: SimulatedSandboxDriver keeps sandboxes and agent
// "containers" in memory, answers at once, and tells the benchmark when an agent started or
// stopped, which is how it times a desired-state change reaching its host.
import { describeError } from "../common/errors.ts";
import type { EngineInfo, HostReport } from "../common/worker-protocol.ts";
import { workerConfig } from "../worker/config.ts";
import type {
  AgentSpec,
  AgentStats,
  DriverFingerprint,
  GatewayEndpoint,
  LogLine,
  ObservedAgent,
  ObservedSandbox,
  SandboxDiskUsage,
  SandboxDriver,
  SandboxSpec,
} from "../worker/drivers/driver.ts";
import { runFleetAgent, workerVersion } from "../worker/fleet-agent.ts";

/** What the simulation tells the benchmark: an agent's container started or stopped. */
export type SimulatedEvent = {
  kind: "started" | "stopped";
  host: string;
  agentId: string;
  generation: number;
  at: number;
};

interface SimulatedContainer {
  spec: AgentSpec;
  running: boolean;
  startedAt?: string;
}

/** A host's capacity as the simulation declares it (engine and driver agree). */
export const simulatedCapacity = { cpus: 16, memoryMb: 65_536 } as const;

/** A sandbox driver with no machine under it: state in memory, every operation instant. */
export class SimulatedSandboxDriver implements SandboxDriver {
  readonly name = "simulated";
  private readonly sandboxes = new Map<string, SandboxSpec>();
  private readonly containers = new Map<string, Map<string, SimulatedContainer>>();

  constructor(
    private readonly host: string,
    private readonly onEvent: (event: SimulatedEvent) => void,
  ) {}

  async fingerprint(): Promise<DriverFingerprint> {
    return {
      driver: this.name,
      healthy: true,
      labels: { simulated: "true" },
      capacity: { ...simulatedCapacity },
    };
  }

  async ensureSandbox(spec: SandboxSpec): Promise<void> {
    this.sandboxes.set(spec.tenantId, spec);
    if (!this.containers.has(spec.tenantId)) this.containers.set(spec.tenantId, new Map());
  }

  async destroySandbox(tenantId: string): Promise<void> {
    this.sandboxes.delete(tenantId);
    this.containers.delete(tenantId);
  }

  async listSandboxes(): Promise<ObservedSandbox[]> {
    return [...this.sandboxes.keys()].map((tenantId) => ({ tenantId, ready: true }));
  }

  gatewayEndpoint(tenantId: string): GatewayEndpoint {
    return { socketPath: `/nonexistent/${tenantId}.sock`, caBundlePath: "/nonexistent/ca.pem" };
  }

  async listAgents(tenantId: string): Promise<ObservedAgent[]> {
    const mine = this.containers.get(tenantId);
    if (!mine) return [];
    return [...mine.entries()].map(([key, c]) => ({
      tenantId,
      agentId: c.spec.agentId,
      generation: c.spec.generation,
      containerId: key,
      state: c.running ? "running" : "exited",
      restartCount: 0,
      ...(c.startedAt && { startedAt: c.startedAt }),
    }));
  }

  private tenant(tenantId: string) {
    const mine = this.containers.get(tenantId);
    if (!mine) throw new Error(`simulated sandbox ${tenantId} does not exist`);
    return mine;
  }

  async createAgent(spec: AgentSpec): Promise<void> {
    this.tenant(spec.tenantId).set(`${spec.agentId}:${spec.generation}`, { spec, running: false });
  }

  async startAgent(tenantId: string, agentId: string): Promise<void> {
    for (const c of this.tenant(tenantId).values()) {
      if (c.spec.agentId !== agentId || c.running) continue;
      c.running = true;
      c.startedAt = new Date().toISOString();
      this.onEvent({
        kind: "started",
        host: this.host,
        agentId,
        generation: c.spec.generation,
        at: performance.now(),
      });
    }
  }

  async stopAgent(tenantId: string, agentId: string): Promise<void> {
    for (const c of this.tenant(tenantId).values()) {
      if (c.spec.agentId !== agentId || !c.running) continue;
      c.running = false;
      this.onEvent({
        kind: "stopped",
        host: this.host,
        agentId,
        generation: c.spec.generation,
        at: performance.now(),
      });
    }
  }

  async removeAgent(
    tenantId: string,
    agentId: string,
    options?: { purge?: boolean; keepGeneration?: number },
  ): Promise<void> {
    const mine = this.containers.get(tenantId);
    if (!mine) return;
    for (const [key, c] of mine)
      if (c.spec.agentId === agentId && c.spec.generation !== options?.keepGeneration)
        mine.delete(key);
  }

  async logs(): Promise<LogLine[]> {
    return [];
  }

  /** No processes to sample: telemetry skips an agent whose stats fail (see the report). */
  async stats(): Promise<AgentStats> {
    throw new Error("a simulated agent has no process to sample");
  }

  async diskUsage(): Promise<SandboxDiskUsage> {
    return { store: null, workspaces: new Map() };
  }

  async exec(): Promise<{ exitCode: number; output: string }> {
    return { exitCode: 0, output: "" };
  }
}

const simulatedEngine: EngineInfo = {
  serverVersion: "simulated",
  operatingSystem: "simulated host",
  cpus: simulatedCapacity.cpus,
  memoryBytes: simulatedCapacity.memoryMb * 1024 * 1024,
  containers: 0,
  runtimes: ["simulated"],
};

/** What a simulated host says about itself (as runFleetAgent would send it). */
export function simulatedHostReport(name: string): HostReport {
  return {
    name,
    version: workerVersion,
    labels: { simulated: "true" },
    engine: simulatedEngine,
    driver: { name: "simulated", healthy: true, capacity: { ...simulatedCapacity } },
  };
}

export interface SimulatedHost {
  name: string;
  driver: SimulatedSandboxDriver;
  /** Stops every loop at once, as a host losing power would (nothing said to the control plane). */
  stop: () => void;
  /** Settles when its loops have ended. */
  done: Promise<void>;
  /** Why its fleet agent gave up (a refused credential or token), once it has. */
  failure: () => string | null;
}

/** One simulated host running the real fleet agent against `controlPlaneUrl`. */
export function startSimulatedHost(options: {
  controlPlaneUrl: string;
  name: string;
  enrolmentToken: string;
  stateDir: string;
  onEvent: (event: SimulatedEvent) => void;
  log?: (line: string) => void;
}): SimulatedHost {
  const driver = new SimulatedSandboxDriver(options.name, options.onEvent);
  const stop = new AbortController();
  const config = workerConfig({
    CORRAL_CONTROL_PLANE_URL: options.controlPlaneUrl,
    CORRAL_ENROLMENT_TOKEN: options.enrolmentToken,
    CORRAL_WORKER_NAME: options.name,
    CORRAL_WORKER_STATE_DIR: options.stateDir,
  });
  let failure: string | null = null;
  const done = runFleetAgent({
    config,
    driver,
    describeEngine: async () => simulatedEngine,
    signal: stop.signal,
    log: options.log ?? (() => {}),
  }).catch((error) => {
    // A real worker exits here; the simulation counts it and carries on with the rest.
    failure = describeError(error);
  });
  return { name: options.name, driver, stop: () => stop.abort(), done, failure: () => failure };
}
