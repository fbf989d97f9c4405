// The reconciler's bookkeeping, against a driver double that keeps containers in memory and
// fails the operations a test tells it to (the real driver is tested against the engine).
import { describe, expect, it } from "vitest";
import type { DesiredAgent, DesiredState } from "../../common/worker-protocol.ts";
import type { AgentSpec, ObservedAgent, SandboxDriver } from "../drivers/driver.ts";
import { NotSupportedError } from "../drivers/driver.ts";
import { Reconciler } from "./reconciler.ts";

class MemoryDriver implements SandboxDriver {
  readonly name = "memory";
  agents = new Map<string, ObservedAgent>();
  failing = new Set<string>();
  tenants = ["t"];
  /** The tenants whose agents each pass looked at, in order. */
  looked: string[] = [];

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
  listAgents = async (tenantId: string) => {
    this.looked.push(tenantId);
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
  stats = async () => ({ cpuPercent: 0, memoryBytes: 0, memoryLimitBytes: 0, pids: 0 });
  exec = async (): Promise<{ exitCode: number; output: string }> => {
    throw new NotSupportedError("exec");
  };
  diskUsage = async (): Promise<never> => {
    throw new NotSupportedError("diskUsage");
  };
}

const agent = (desiredState: "RUNNING" | "STOPPED", agentId = "a1"): DesiredAgent => ({
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
const state = (...agents: DesiredAgent[]): DesiredState => ({
  version: 1,
  sandboxes: [
    { tenantId: "t", tenantSlug: "t", cpus: 1, memoryMb: 1024, egressCeiling: null, agents },
  ],
});

describe("the reconciler's view of problems", () => {
  it("drops an agent's problem as soon as a pass no longer meets it, whatever the action", async () => {
    const driver = new MemoryDriver();
    const reconciler = new Reconciler(driver, () => {});
    reconciler.desired = state(agent("RUNNING"));
    await reconciler.pass();
    driver.failing.add("stop");
    reconciler.desired = state(agent("STOPPED"));
    await reconciler.pass();
    expect(reconciler.agentProblems.get("a1")).toBe("stop failed");
    // The stop works on the next pass: the problem goes (it used to stay until a start).
    driver.failing.clear();
    await reconciler.pass();
    expect(reconciler.agentProblems.has("a1")).toBe(false);
  });

  it("forgets the problems of agents that are gone", async () => {
    const driver = new MemoryDriver();
    driver.failing.add("create");
    const reconciler = new Reconciler(driver, () => {});
    reconciler.desired = state(agent("RUNNING", "doomed"));
    await reconciler.pass();
    expect(reconciler.agentProblems.get("doomed")).toBe("create failed");
    reconciler.desired = state();
    await reconciler.pass();
    expect(reconciler.agentProblems.size).toBe(0);
  });
});

describe("a pass over some tenants", () => {
  const sandbox = (tenantId: string, ...agents: DesiredAgent[]) => ({
    tenantId,
    tenantSlug: tenantId,
    isolation: null,
    cpus: 1,
    memoryMb: 1024,
    egressCeiling: null,
    agents,
  });

  it("looks only at the tenants it is given, and keeps what it knows of the others", async () => {
    const driver = new MemoryDriver();
    driver.tenants = ["a", "b", "c"];
    driver.failing.add("create a-agent");
    const reconciler = new Reconciler(driver, () => {});
    reconciler.desired = {
      version: 1,
      sandboxes: [
        sandbox("a", agent("RUNNING", "a-agent")),
        sandbox("b", agent("RUNNING", "b-agent")),
        sandbox("c"),
      ],
    };
    await reconciler.pass();
    expect(driver.looked).toEqual(["a", "b", "c"]);
    expect(reconciler.agentProblems.get("a-agent")).toBe("create a-agent failed");

    driver.looked = [];
    reconciler.desired = {
      version: 2,
      sandboxes: [
        sandbox("a", agent("RUNNING", "a-agent")),
        sandbox("b", agent("STOPPED", "b-agent")),
        sandbox("c"),
      ],
    };
    await reconciler.pass(new Set(["b"]));
    expect(driver.looked).toEqual(["b"]);
    expect(driver.agents.get("b-agent")?.state).toBe("exited");
    // Tenant a was not walked: its problem and readiness stand until a pass that walks it.
    expect(reconciler.agentProblems.get("a-agent")).toBe("create a-agent failed");
    expect([...reconciler.readyTenants].sort()).toEqual(["a", "b", "c"]);

    driver.failing.clear();
    await reconciler.pass();
    expect(reconciler.agentProblems.size).toBe(0);
  });
});
