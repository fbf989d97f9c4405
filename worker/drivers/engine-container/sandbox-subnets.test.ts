// Sandboxes' host networks on the real engine: more of them than the engine's default pools
// hold (about thirty), each on a /28 of the driver's pool that no other network overlaps.
import { randomBytes } from "node:crypto";
import Docker from "dockerode";
import { afterAll, describe, expect, it } from "vitest";
import { ensureNetwork } from "./host-network.ts";
import { freeSubnet, rangeOf } from "./sandbox-subnets.ts";

describe("the sandbox subnet pool", () => {
  it("hands out the first /28 that nothing overlaps", () => {
    expect(freeSubnet("10.214.0.0/16", [])).toBe("10.214.0.0/28");
    expect(freeSubnet("10.214.0.0/16", ["10.214.0.0/28", "10.214.0.16/28"])).toBe("10.214.0.32/28");
    // A wider network elsewhere on the engine covering the start of the pool.
    expect(freeSubnet("10.214.0.0/16", ["10.214.0.0/24", "fd00::/64"])).toBe("10.214.1.0/28");
    expect(freeSubnet("10.214.0.0/28", ["10.214.0.8/29"])).toBeNull();
    expect(() => freeSubnet("not-a-pool", [])).toThrow(/not an IPv4 CIDR/);
    expect(rangeOf("10.0.0.5/30")).toEqual({ first: 167772164, last: 167772167 });
  });

  const engine = new Docker({ socketPath: "/var/run/docker.sock" });
  const run = randomBytes(3).toString("hex");
  const made: string[] = [];
  afterAll(async () => {
    await Promise.allSettled(made.map((name) => engine.getNetwork(name).remove()));
  });

  it("gives forty networks on one engine forty distinct blocks", { timeout: 120_000 }, async () => {
    // A pool of its own, so sandboxes of other tests on this engine are not in the way.
    // 64 blocks of /28: room for the forty.
    const pool = `10.215.${4 * Math.floor(Math.random() * 60)}.0/22`;
    const names = Array.from({ length: 40 }, (_, i) => `corral-test-subnet-${run}-${i}`);
    made.push(...names);
    // All at once, as a worker placing many sandboxes would.
    const networks = await Promise.all(
      names.map((name) =>
        ensureNetwork(
          engine,
          { Name: name, Driver: "bridge", Labels: { "corral.test": run } },
          pool,
        ),
      ),
    );
    const subnets = networks.map((n) => n.IPAM?.Config?.[0]?.Subnet);
    expect(new Set(subnets).size).toBe(40);
    const range = rangeOf(pool);
    for (const subnet of subnets) {
      const block = rangeOf(subnet ?? "");
      expect(block && range && block.first >= range.first && block.last <= range.last).toBe(true);
    }
    // Asking again finds each network as it is.
    const again = await ensureNetwork(engine, { Name: names[0] as string, Driver: "bridge" }, pool);
    expect(again.IPAM?.Config?.[0]?.Subnet).toBe(subnets[0]);
  });
});
