// Networks by exact name. The engine's name filter matches substrings, and without
// CheckDuplicate two concurrent creates would make two networks with one name.
import type Docker from "dockerode";
import { statusOf } from "./engine-errors.ts";
import { createOnFreeSubnet } from "./sandbox-subnets.ts";

export async function findNetwork(
  engine: Docker,
  name: string,
): Promise<Docker.NetworkInspectInfo | null> {
  const candidates = await engine.listNetworks({ filters: { name: [name] } });
  return candidates.find((network) => network.Name === name) ?? null;
}

/**
 * Returns the network called `options.Name`, creating it when missing: on a free block of
 * `subnetPool` when one is given (sandbox-subnets.ts), else where the engine chooses.
 */
export async function ensureNetwork(
  engine: Docker,
  options: Docker.NetworkCreateOptions,
  subnetPool?: string,
): Promise<Docker.NetworkInspectInfo> {
  const existing = await findNetwork(engine, options.Name);
  if (existing) return existing;
  try {
    const create = { ...options, CheckDuplicate: true };
    if (subnetPool) await createOnFreeSubnet(engine, create, subnetPool);
    else await engine.createNetwork(create);
  } catch (error) {
    // Created meanwhile by a concurrent call: use that one.
    if (statusOf(error) !== 409) throw error;
  }
  const created = await findNetwork(engine, options.Name);
  if (!created) throw new Error(`network ${options.Name} was created but cannot be found`);
  return created;
}
