// For the worker's bookkeeping (reconciler, telemetry): a sandbox driver that keeps containers
// in memory and fails the operations a test tells it to (the real drivers are tested against
// the engine), and the desired state it is given.
import type { DesiredAgent, DesiredSandbox } from "../common/worker-protocol.ts";
import type { AgentSpec, ObservedAgent, SandboxDriver } from "../worker/drivers/driver.ts";
import { NotSupportedError } from "../worker/drivers/driver.ts";

export class MemoryDriver implements SandboxDriver {
  readonly name = "memory";
  agents = new Map<string, ObservedAgent>();
  failing = new Set<string>();
  tenants = ["t"];
  /** The tenants whose agents each pass looked at, in order. */
  looked: string[] = [];
  /** Engine stats calls: how many were asked, are under way now, and at most at once. */
  sampling = { asked: 0, underWay: 0, most: 0 };
  /** Stats answer once this settles (a real engine's one-shot stats take about a second). */
  statsHeld: Promise<void> = Promise.resolve();

  private maybeFail(what: string) {
    if (this.failing.has(what)) throw new Error(`${what} failed`);
  }
  fingerprint = async () => ({
    driver: "memory",
    healthy: true,
    labels: {},
    capacity: { cpus: 1, memoryMb: 1 },
  });
  ensureSandbox = async () => {};
  destroySandbox = async () => {};
  listSandboxes = async () => this.tenants.map((tenantId) => ({ tenantId, ready: true }));
  gatewayEndpoint = () => ({ socketPath: "/nonexistent", caBundlePath: "/nonexistent" });
  /** Tenants whose listing waits for this to settle (a slow or stuck sandbox engine). */
  held = new Map<string, Promise<void>>();
  listAgents = async (tenantId: string) => {
    this.looked.push(tenantId);
    await this.held.get(tenantId);
    return [...this.agents.values()].filter((a) => a.tenantId === tenantId);
  };
  createAgent = async (spec: AgentSpec) => {
    this.maybeFail(`create ${spec.agentId}`);
    this.maybeFail("create");
    this.agents.set(spec.agentId, {
      tenantId: spec.tenantId,
      agentId: spec.agentId,
      generation: spec.generation,
      containerId: spec.agentId,
      state: "created",
      restartCount: 0,
    });
  };
  startAgent = async (_t: string, agentId: string) => {
    this.maybeFail("start");
    const agent = this.agents.get(agentId);
    if (agent) agent.state = "running";
  };
  stopAgent = async (_t: string, agentId: string) => {
    this.maybeFail("stop");
    const agent = this.agents.get(agentId);
    if (agent) agent.state = "exited";
  };
  removeAgent = async (_t: string, agentId: string) => {
    this.agents.delete(agentId);
  };
  logs = async () => [];
  stats = async () => {
    this.sampling.asked++;
    this.sampling.most = Math.max(this.sampling.most, ++this.sampling.underWay);
    try {
      await this.statsHeld;
    } finally {
      this.sampling.underWay--;
    }
    return { cpuPercent: 0, memoryBytes: 0, memoryLimitBytes: 0, pids: 0 };
  };
  exec = async (): Promise<{ exitCode: number; output: string }> => {
    throw new NotSupportedError("exec");
  };
  diskUsage = async (): Promise<never> => {
    throw new NotSupportedError("diskUsage");
  };
}

export const desiredAgent = (
  desiredState: "RUNNING" | "STOPPED",
  agentId = "a1",
): DesiredAgent => ({
  agentId,
  name: agentId,
  generation: 1,
  desiredState,
  image: "x",
  command: [],
  env: {},
  cpus: 0.1,
  memoryMb: 64,
  pids: 64,
  workspaceMb: 64,
  egress: { preset: "NONE", rules: [], quarantined: false },
  grants: [],
});

export const desiredSandbox = (tenantId: string, ...agents: DesiredAgent[]): DesiredSandbox => ({
  tenantId,
  tenantSlug: tenantId,
  isolation: null,
  cpus: 1,
  memoryMb: 1024,
  egressCeiling: null,
  agents,
});
