// What a sandbox holds on its host: the CPU and memory its agents request, plus a fixed
// share for its private engine. An organisation's quota is only a ceiling on that sum, so an
// idle tenant with a large quota holds almost nothing and cannot fill a fleet (#12.1).
import { DomainError } from "../../common/errors.ts";
import type { Tx } from "../db/client.ts";

/** The sandbox's own engine (dockerd, containerd, the gateway forwarder), measured ~150 MiB. */
export const sandboxOverhead = { millis: 100, memoryMb: 256 } as const;

/**
 * CPU quotas are limits, not reservations, and agents mostly wait on models and networks:
 * a host takes sandboxes whose CPU requests add up to this many times its cores. Memory is
 * never overcommitted.
 */
export const cpuOvercommit = 4;

export interface Reservation {
  millis: number;
  memoryMb: number;
}

/** Each organisation's reservation, by organisation id (organisations with no agents: overhead only). */
export async function reservationsByOrg(
  tx: Tx,
  orgIds: string[],
): Promise<Map<string, Reservation>> {
  const sums = await tx.agent.groupBy({
    by: ["orgId"],
    where: { orgId: { in: orgIds } },
    _sum: { cpuMillis: true, memoryMb: true },
  });
  const byOrg = new Map<string, Reservation>(
    orgIds.map((id) => [
      id,
      { millis: sandboxOverhead.millis, memoryMb: sandboxOverhead.memoryMb },
    ]),
  );
  for (const s of sums) {
    byOrg.set(s.orgId, {
      millis: sandboxOverhead.millis + (s._sum.cpuMillis ?? 0),
      memoryMb: sandboxOverhead.memoryMb + (s._sum.memoryMb ?? 0),
    });
  }
  return byOrg;
}

/**
 * The fleet's placement lock, held until the transaction ends. Lock order: this first, then
 * any organisation's locks (its row, its audit chain). The controller's pass holds it while it
 * writes the audit events of every organisation it moves, so a tenant's change that took its
 * organisation's locks first and then waited here would deadlock against it.
 */
export async function lockPlacement(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('fleet:placement', 0))`;
}

/**
 * After an organisation's agents grew, checks that the host already running its sandbox can
 * still hold everything placed on it; refuses the change otherwise (moving a running sandbox
 * would restart every agent in it). Call at system scope, inside the change's transaction.
 */
export async function ensureHostHasRoom(tx: Tx, orgId: string): Promise<void> {
  await lockPlacement(tx);
  const sandbox = await tx.sandbox.findUnique({
    where: { orgId },
    select: { host: { select: { id: true, capacityMillis: true, capacityMemoryMb: true } } },
  });
  const host = sandbox?.host;
  if (!host) return; // not placed yet: placement waits for a host with room
  const neighbours = await tx.sandbox.findMany({
    where: { hostId: host.id, org: { deletedAt: null } },
    select: { orgId: true },
  });
  const reservations = await reservationsByOrg(
    tx,
    neighbours.map((n) => n.orgId),
  );
  let millis = 0;
  let memoryMb = 0;
  for (const r of reservations.values()) {
    millis += r.millis;
    memoryMb += r.memoryMb;
  }
  if (memoryMb > host.capacityMemoryMb)
    throw new DomainError(
      "CONFLICT",
      "The host running your sandbox has no memory left for that. Ask for less memory, or ask your operator for room.",
      "memoryMb",
    );
  if (millis > host.capacityMillis * cpuOvercommit)
    throw new DomainError(
      "CONFLICT",
      "The host running your sandbox has no CPU left for that. Ask for fewer CPUs, or ask your operator for room.",
      "cpuMillis",
    );
}
