// The two parts of a report: states never wait on the slow samples (logs, stats, disk), and
// samples read sandboxes side by side.
import { describe, expect, it, vi } from "vitest";
import { desiredAgent, desiredSandbox, MemoryDriver } from "../../test/worker-doubles.ts";
import { Reconciler } from "./reconciler.ts";
import { Telemetry } from "./telemetry.ts";

const sandbox = (tenantId: string) =>
  desiredSandbox(tenantId, desiredAgent("RUNNING", `${tenantId}-agent`));

/** A host with `count` sandboxes of one running agent each, after a reconcile pass. */
async function hostWith(count: number) {
  const tenants = Array.from({ length: count }, (_, i) => `t${i}`);
  const driver = new MemoryDriver();
  driver.tenants = tenants;
  const reconciler = new Reconciler(driver, () => {});
  reconciler.desired = { version: 1, sandboxes: tenants.map(sandbox) };
  await reconciler.pass();
  return { driver, telemetry: new Telemetry(driver, reconciler) };
}

describe("a worker's report", () => {
  it("tells states without waiting for stats, even while a sampling is stuck", async () => {
    const { driver, telemetry } = await hostWith(3);
    driver.statsHeld = new Promise(() => {}); // an engine that never answers stats
    const stuck = telemetry.samples();

    const states = await telemetry.states();
    expect(states.agents.map((a) => [a.agentId, a.state]).sort()).toEqual([
      ["t0-agent", "RUNNING"],
      ["t1-agent", "RUNNING"],
      ["t2-agent", "RUNNING"],
    ]);
    expect(states.sandboxes.map((s) => s.state)).toEqual(["READY", "READY", "READY"]);
    // Told once: the next report says nothing of what did not change.
    expect(await telemetry.states()).toEqual({ sandboxes: [], agents: [] });
    expect(await Promise.race([stuck.then(() => "done"), Promise.resolve("pending")])).toBe(
      "pending",
    );
  });

  it("after a pass over some tenants, lists only theirs", async () => {
    const { driver, telemetry } = await hostWith(5);
    driver.looked = [];
    const states = await telemetry.states(new Set(["t3"]));
    expect(driver.looked).toEqual(["t3"]);
    expect(states.agents.map((a) => a.agentId)).toEqual(["t3-agent"]);
  });

  it("samples sandboxes side by side, a bounded number at once", async () => {
    const { driver, telemetry } = await hostWith(20);
    let release = () => {};
    driver.statsHeld = new Promise((resolve) => {
      release = resolve;
    });
    const sampled = telemetry.samples();
    await vi.waitFor(() => expect(driver.sampling.underWay).toBe(8));
    release();
    const samples = await sampled;
    expect(samples.stats).toHaveLength(20);
    expect(driver.sampling).toEqual({ asked: 20, underWay: 0, most: 8 });
  });

  it("samples from the states walk's listing, and reads no stats of a held container", async () => {
    const { driver, telemetry } = await hostWith(3);
    // t1's agent stopped, its next run held: started, waiting before the agent's process.
    const t1 = driver.agents.get("t1-agent");
    if (!t1) throw new Error("t1-agent missing");
    driver.agents.set("t1-agent", { ...t1, held: true, limitsPending: true });
    await telemetry.states();
    driver.looked = [];
    const samples = await telemetry.samples();
    expect(driver.looked).toEqual([]);
    expect(samples.stats.map((s) => s.agentId).sort()).toEqual(["t0-agent", "t2-agent"]);
  });
});
