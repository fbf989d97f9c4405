import { describe, expect, it } from "vitest";
import {
  type PlacementHost,
  type PlacementSandbox,
  planPlacement,
  whyUnplaced,
} from "./placement.ts";

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
    expect(moves).toEqual([
      { orgId: "o2", from: null, to: "b", reason: "not placed yet", isolation: "CONTAINER" },
    ]);
  });

  it("moves sandboxes off lost and draining hosts", () => {
    const moves = planPlacement(
      [host("a", { live: false }), host("b", { draining: true }), host("c")],
      [sandbox("o1", { hostId: "a" }), sandbox("o2", { hostId: "b" })],
    );
    expect(moves).toEqual([
      {
        orgId: "o1",
        from: "a",
        to: "c",
        reason: "its host stopped heartbeating",
        isolation: "CONTAINER",
      },
      { orgId: "o2", from: "b", to: "c", reason: "its host is draining", isolation: "CONTAINER" },
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
      {
        orgId: "o2",
        from: "c",
        to: null,
        reason: "its host stopped heartbeating",
        isolation: null,
      },
    ]);
  });

  describe("isolation", () => {
    const vmHost = (id: string, over: Partial<PlacementHost> = {}) =>
      host(id, { labels: { microvm: "true", container: "true" }, ...over });
    const vmOnly = (id: string) => host(id, { labels: { microvm: "true", container: "false" } });

    it("places an organisation that asks for microVMs only on hosts with microvm=true", () => {
      const moves = planPlacement(
        [host("plain"), vmOnly("vm")],
        [sandbox("o1", { isolation: "MICROVM" })],
      );
      expect(moves).toEqual([
        { orgId: "o1", from: null, to: "vm", reason: "not placed yet", isolation: "MICROVM" },
      ]);
    });

    it("leaves a microVM organisation waiting, saying why, when no host offers microVMs", () => {
      const hosts = [host("plain"), host("other")];
      const s = sandbox("o1", { isolation: "MICROVM" });
      expect(planPlacement(hosts, [s])).toEqual([]);
      expect(whyUnplaced(hosts, s)).toBe("no host offers microVM isolation (microvm=true)");
    });

    it("never gives a container organisation a microVM-only host", () => {
      const moves = planPlacement([vmOnly("vm")], [sandbox("o1", { isolation: "CONTAINER" })]);
      expect(moves).toEqual([]);
      expect(whyUnplaced([vmOnly("vm")], sandbox("o1", { isolation: "CONTAINER" }))).toBe(
        "no host offers container isolation",
      );
    });

    it("without a choice prefers a microVM host, even a busier one, and falls back to containers", () => {
      const busy = vmHost("vm", { capacityMillis: 2000 });
      expect(
        planPlacement([host("plain"), busy], [sandbox("o0", { hostId: "vm" }), sandbox("o1")]),
      ).toEqual([
        { orgId: "o1", from: null, to: "vm", reason: "not placed yet", isolation: "MICROVM" },
      ]);
      // Full: the container host takes it.
      expect(
        planPlacement(
          [host("plain"), busy],
          [sandbox("o0", { hostId: "vm", cpuMillis: 2000 }), sandbox("o1")],
        ),
      ).toEqual([
        { orgId: "o1", from: null, to: "plain", reason: "not placed yet", isolation: "CONTAINER" },
      ]);
    });

    it("re-places a sandbox whose organisation changed its wall, on the same host when it can", () => {
      const moves = planPlacement(
        [vmHost("both")],
        [sandbox("o1", { hostId: "both", placedAs: "CONTAINER", isolation: "MICROVM" })],
      );
      expect(moves).toEqual([
        {
          orgId: "o1",
          from: "both",
          to: "both",
          reason: "its organisation now asks for microVM isolation (microvm=true)",
          isolation: "MICROVM",
        },
      ]);
    });

    it("keeps a placed sandbox whose organisation has no choice, whatever its wall", () => {
      expect(
        planPlacement(
          [vmHost("both")],
          [sandbox("o1", { hostId: "both", placedAs: "CONTAINER", isolation: null })],
        ),
      ).toEqual([]);
    });
  });
});
