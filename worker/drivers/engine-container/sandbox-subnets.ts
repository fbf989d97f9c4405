// Address ranges for sandboxes' host networks. Left to the engine, each new bridge network
// takes a /16 or /20 from its default pools, which run out after about thirty networks ("could
// not find an available, non-overlapping IPv4 address pool"): a host could carry only thirty
// sandboxes. A sandbox's network holds one container, so the driver gives each a /28 of its
// own pool (4,096 of them in a /16), the first one no network on the engine overlaps.
import type Docker from "dockerode";
import { statusOf } from "./engine-errors.ts";

export const defaultSandboxSubnetPool = "10.214.0.0/16";
const blockBits = 28;

interface Range {
  first: number;
  last: number;
}

function ipv4ToNumber(address: string): number | null {
  const parts = address.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    return null;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

const numberToIpv4 = (n: number) =>
  [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");

/** An IPv4 CIDR as the addresses it spans; null for IPv6 or anything unreadable. */
export function rangeOf(cidr: string): Range | null {
  const [address, bitsText] = cidr.split("/");
  const base = ipv4ToNumber(address ?? "");
  const bits = Number(bitsText);
  if (base === null || !Number.isInteger(bits) || bits < 0 || bits > 32) return null;
  const size = 2 ** (32 - bits);
  const first = base - (base % size);
  return { first, last: first + size - 1 };
}

/** The first /28 of `pool` that overlaps none of `taken`; null when the pool is full. */
export function freeSubnet(pool: string, taken: string[]): string | null {
  const range = rangeOf(pool);
  if (!range) throw new Error(`sandbox subnet pool "${pool}" is not an IPv4 CIDR`);
  const used = taken.map(rangeOf).filter((r): r is Range => r !== null);
  const size = 2 ** (32 - blockBits);
  for (let first = range.first; first + size - 1 <= range.last; first += size) {
    const last = first + size - 1;
    if (!used.some((u) => u.first <= last && first <= u.last))
      return `${numberToIpv4(first)}/${blockBits}`;
  }
  return null;
}

async function subnetsInUse(engine: Docker): Promise<string[]> {
  const networks = await engine.listNetworks();
  return networks.flatMap((n) =>
    (n.IPAM?.Config ?? []).flatMap((c) => (c.Subnet ? [c.Subnet] : [])),
  );
}

// One allocation at a time in this process; another process (or a second worker on the
// same engine) is caught by the engine refusing an overlap, and the next block is tried.
let allocating: Promise<unknown> = Promise.resolve();

/** Creates the bridge network `options` on a free /28 of `pool`. */
export function createOnFreeSubnet(
  engine: Docker,
  options: Docker.NetworkCreateOptions,
  pool: string,
): Promise<void> {
  const attempt = async () => {
    for (let tries = 0; tries < 5; tries++) {
      const subnet = freeSubnet(pool, await subnetsInUse(engine));
      if (!subnet)
        throw new Error(
          `no free /${blockBits} left in the sandbox subnet pool ${pool}: remove unused sandboxes or give a larger pool`,
        );
      const range = rangeOf(subnet) as Range;
      try {
        await engine.createNetwork({
          ...options,
          IPAM: {
            Driver: "default",
            Config: [{ Subnet: subnet, Gateway: numberToIpv4(range.first + 1) }],
          },
        });
        return;
      } catch (error) {
        // 409: the network itself was made meanwhile (the caller looks it up). Otherwise an
        // overlap means another process took the block since we looked: look again.
        if (statusOf(error) === 409) throw error;
        if (!/overlap/i.test(String((error as Error).message))) throw error;
      }
    }
    throw new Error(`could not find a free subnet in ${pool}: the engine kept refusing overlaps`);
  };
  const result = allocating.then(attempt, attempt);
  allocating = result.catch(() => undefined);
  return result;
}
