import { describe, expect, it } from "vitest";
import { type PlacementHost, type PlacementSandbox, planPlacement } from "./placement.ts";

const host = (id: string, over: Partial<PlacementHost> = {}): PlacementHost => ({
  id,
  labels: {},
  capacityMillis: 4000,
  capacityMemoryMb: 8192,
  live: true,
  cordoned: false,
  draining: false,
  driverHealthy: true,
  ...over,
});
const sandbox = (orgId: string, over: Partial<PlacementSandbox> = {}): PlacementSandbox => ({
  orgId,
  hostId: null,
  cpuMillis: 1000,
  memoryMb: 1024,
  requiredLabels: {},
  ...over,
});

describe("placement", () => {
  it("spreads new sandboxes over the least-loaded hosts", () => {
    const moves = planPlacement(
      [host("a"), host("b")],
      [sandbox("o1"), sandbox("o2"), sandbox("o3")],
    );
    expect(moves.map((m) => [m.orgId, m.to])).toEqual([
      ["o1", "a"],
      ["o2", "b"],
      ["o3", "a"],
    ]);
  });

  it("leaves placed sandboxes where they are while their host keeps them, cordoned or not", () => {
    expect(
      planPlacement([host("a", { cordoned: true }), host("b")], [sandbox("o1", { hostId: "a" })]),
    ).toEqual([]);
  });

  it("counts placed sandboxes when choosing a host for a new one", () => {
    const moves = planPlacement(
      [host("a"), host("b")],
      [sandbox("o1", { hostId: "a" }), sandbox("o2")],
    );
    expect(moves).toEqual([{ orgId: "o2", from: null, to: "b", reason: "not placed yet" }]);
  });

  it("moves sandboxes off lost and draining hosts", () => {
    const moves = planPlacement(
      [host("a", { live: false }), host("b", { draining: true }), host("c")],
      [sandbox("o1", { hostId: "a" }), sandbox("o2", { hostId: "b" })],
    );
    expect(moves).toEqual([
      { orgId: "o1", from: "a", to: "c", reason: "its host stopped heartbeating" },
      { orgId: "o2", from: "b", to: "c", reason: "its host is draining" },
    ]);
  });

  it("respects required labels and capacity, and leaves a sandbox waiting when nothing fits", () => {
    const hosts = [
      host("a", { capacityMillis: 1000 }),
      host("vm", { labels: { microvm: "true" } }),
    ];
    const moves = planPlacement(hosts, [
      sandbox("big", { cpuMillis: 2000 }),
      sandbox("vm-only", { requiredLabels: { microvm: "true" } }),
      sandbox("huge", { cpuMillis: 9000 }),
    ]);
    expect(moves.map((m) => [m.orgId, m.to])).toEqual([
      ["big", "vm"],
      ["vm-only", "vm"],
    ]);
  });

  it("never places on cordoned, unhealthy or dead hosts, and reports a sandbox that lost its host", () => {
    const moves = planPlacement(
      [
        host("a", { cordoned: true }),
        host("b", { driverHealthy: false }),
        host("c", { live: false }),
      ],
      [sandbox("o1"), sandbox("o2", { hostId: "c" })],
    );
    expect(moves).toEqual([
      { orgId: "o2", from: "c", to: null, reason: "its host stopped heartbeating" },
    ]);
  });
});
