// The reconciler's bookkeeping, against a driver double that keeps containers in memory.
import { describe, expect, it, vi } from "vitest";
import type { DesiredAgent, DesiredState } from "../../common/worker-protocol.ts";
import { desiredAgent, desiredSandbox, MemoryDriver } from "../../test/worker-doubles.ts";
import { Reconciler } from "./reconciler.ts";

const agent = desiredAgent;
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
  const sandbox = desiredSandbox;

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

  it("walks sandboxes side by side: one slow engine does not hold up the others' agents", async () => {
    const driver = new MemoryDriver();
    driver.tenants = ["slow", "fast"];
    let release = () => {};
    driver.held.set("slow", new Promise((resolve) => (release = resolve)));
    const reconciler = new Reconciler(driver, () => {});
    reconciler.desired = {
      version: 1,
      sandboxes: [
        sandbox("slow", agent("RUNNING", "slow-agent")),
        sandbox("fast", agent("RUNNING", "fast-agent")),
      ],
    };
    const pass = reconciler.pass();
    await vi.waitFor(() => expect(driver.agents.get("fast-agent")?.state).toBe("running"));
    expect(driver.agents.has("slow-agent")).toBe(false);
    release();
    await pass;
    expect(driver.agents.get("slow-agent")?.state).toBe("running");
  });
});
