// A host with both walls, against two in-memory drivers (each real driver has its own tests
// against QEMU and the engine): sandboxes land in the wall the desired state names, a change
// of wall moves them, and the fleet learns which walls this host can give.
import { describe, expect, it } from "vitest";
import type { DesiredState } from "../../common/worker-protocol.ts";
import { Reconciler } from "../reconcile/reconciler.ts";
import { IsolationDriver } from "./by-isolation.ts";
import type { AgentSpec, ObservedAgent, SandboxDriver, SandboxSpec } from "./driver.ts";
import { NotSupportedError } from "./driver.ts";

class WallDriver implements SandboxDriver {
  sandboxes = new Set<string>();
  agents = new Map<string, ObservedAgent>();
  healthy = true;
  constructor(readonly name: string) {}

  fingerprint = async () => ({
    driver: this.name,
    healthy: this.healthy,
    ...(!this.healthy && { reason: "no guest image" }),
    labels: { driver: this.name, [`${this.name}-only`]: "yes" },
    capacity: { cpus: 4, memoryMb: 8192 },
  });
  ensureSandbox = async (spec: SandboxSpec) => {
    this.sandboxes.add(spec.tenantId);
  };
  destroySandbox = async (tenantId: string) => {
    this.sandboxes.delete(tenantId);
    for (const [id, a] of this.agents) if (a.tenantId === tenantId) this.agents.delete(id);
  };
  listSandboxes = async () => [...this.sandboxes].map((tenantId) => ({ tenantId, ready: true }));
  gatewayEndpoint = (tenantId: string) => ({
    socketPath: `/${this.name}/${tenantId}.sock`,
    caBundlePath: `/${this.name}/ca.pem`,
  });
  listAgents = async (tenantId: string) =>
    [...this.agents.values()].filter((a) => a.tenantId === tenantId);
  createAgent = async (spec: AgentSpec) => {
    if (!this.sandboxes.has(spec.tenantId)) throw new Error(`${this.name}: no such sandbox`);
    this.agents.set(spec.agentId, {
      tenantId: spec.tenantId,
      agentId: spec.agentId,
      generation: spec.generation,
      containerId: `${this.name}-${spec.agentId}`,
      state: "created",
      restartCount: 0,
    });
  };
  startAgent = async (_t: string, agentId: string) => {
    const a = this.agents.get(agentId);
    if (a) a.state = "running";
  };
  stopAgent = async () => {};
  removeAgent = async (_t: string, agentId: string) => {
    this.agents.delete(agentId);
  };
  logs = async () => [];
  stats = async () => ({ cpuPercent: 0, memoryBytes: 0, memoryLimitBytes: 0, pids: 0 });
  diskUsage = async () => ({ store: null, workspaces: new Map() });
  exec = async () => ({ exitCode: 0, output: this.name });
}

const desired = (isolation: "microvm" | "container" | null): DesiredState => ({
  version: 1,
  sandboxes: [
    {
      tenantId: "t",
      tenantSlug: "t",
      isolation,
      cpus: 1,
      memoryMb: 1024,
      egressCeiling: null,
      agents: [
        {
          agentId: "a1",
          name: "a1",
          generation: 1,
          desiredState: "RUNNING",
          image: "corral/agent-base:1",
          command: [],
          env: {},
          cpus: 0.5,
          memoryMb: 256,
          pids: 64,
          workspaceMb: 64,
          egress: { preset: "NONE", rules: [], quarantined: false },
          grants: [],
        },
      ],
    },
  ],
});

function host() {
  const microvm = new WallDriver("microvm");
  const container = new WallDriver("engine-container");
  const driver = new IsolationDriver({ microvm, container, fallback: "microvm" });
  return { microvm, container, driver, reconciler: new Reconciler(driver, () => {}) };
}

describe("a host with both walls", () => {
  it("makes each sandbox in the wall the control plane placed it with, and its agents there", async () => {
    const { microvm, container, driver, reconciler } = host();
    reconciler.desired = desired("container");
    await reconciler.pass();
    expect([...container.sandboxes]).toEqual(["t"]);
    expect(microvm.sandboxes.size).toBe(0);
    expect(container.agents.get("a1")?.state).toBe("running");
    expect(await driver.exec("t", "a1", ["true"])).toMatchObject({ output: "engine-container" });
    expect(driver.gatewayEndpoint("t").socketPath).toBe("/engine-container/t.sock");
  });

  it("moves a sandbox whose organisation changed its wall: the old one goes, agents start again", async () => {
    const { microvm, container, driver, reconciler } = host();
    reconciler.desired = desired("container");
    await reconciler.pass();
    reconciler.desired = desired("microvm");
    await reconciler.pass();
    expect(container.sandboxes.size).toBe(0);
    expect(container.agents.size).toBe(0);
    expect([...microvm.sandboxes]).toEqual(["t"]);
    expect(microvm.agents.get("a1")?.state).toBe("running");
    expect(await driver.listSandboxes()).toEqual([
      { tenantId: "t", ready: true, isolation: "microvm" },
    ]);
  });

  it("uses its fallback wall when the control plane names none", async () => {
    const { microvm, reconciler } = host();
    reconciler.desired = desired(null);
    await reconciler.pass();
    expect([...microvm.sandboxes]).toEqual(["t"]);
  });

  it("refuses, in words, a wall it cannot give", async () => {
    const driver = new IsolationDriver({
      container: new WallDriver("engine-container"),
      fallback: "container",
    });
    const spec = { tenantId: "t", tenantSlug: "t", cpus: 1, memoryMb: 1024 };
    await expect(driver.ensureSandbox({ ...spec, isolation: "microvm" })).rejects.toThrow(
      new NotSupportedError("this host offers no microvm isolation (it runs container)"),
    );
  });

  it("tells the fleet which walls work here; one that fails is not offered, the host stays useful", async () => {
    const { microvm, driver } = host();
    expect(await driver.fingerprint()).toMatchObject({
      driver: "microvm+engine-container",
      healthy: true,
      labels: { microvm: "true", container: "true", "microvm-only": "yes" },
    });
    microvm.healthy = false;
    expect(await driver.fingerprint()).toMatchObject({
      healthy: true,
      reason: "microvm: no guest image",
      labels: { microvm: "false", container: "true" },
    });
  });
});
