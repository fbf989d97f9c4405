// The fleet-scale benchmark's short mode (20 simulated hosts, 100 agents) runs in CI so it
// keeps working; its timings are judged in the bench report, never here.
import { expect, test } from "vitest";
import { runFleetScale, shortFleet } from "./fleet-scale-sim.ts";

test("simulated hosts enrol, run every agent, follow changes and survive a host loss", async () => {
  const r = await runFleetScale(shortFleet);
  expect(r.options.hosts).toBe(20);
  expect(r.placedMs).toBeGreaterThan(0);
  expect(r.runningMs).toBeGreaterThanOrEqual(r.placedMs);
  // Every change sample reached its host (a missing one throws inside the run).
  expect(r.changeMs.start).toHaveLength(shortFleet.changes);
  expect(r.changeMs.stop).toHaveLength(shortFleet.changes);
  // At steady state the hosts heartbeat; quiet ones have nothing to report.
  const heartbeats = r.steady.requestsPerSecond.heartbeat ?? 0;
  expect(heartbeats).toBeGreaterThan(0);
  expect(r.steady.requestsPerSecond.report ?? 0).toBeLessThan(heartbeats);
  expect(r.steady.db.xact_commit).toBeGreaterThan(0);
  // The stopped hosts held sandboxes, and every one of their agents ran again elsewhere.
  expect(r.loss.hosts).toBe(shortFleet.hostsLost);
  expect(r.loss.sandboxes).toBeGreaterThan(0);
  expect(r.loss.agents).toBe(r.loss.sandboxes * shortFleet.agentsPerOrg);
  expect(r.loss.replacedMs).toBeGreaterThanOrEqual(r.loss.lostMs);
}, 240_000);
