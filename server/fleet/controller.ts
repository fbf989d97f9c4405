// The fleet controller, level-triggered: look at hosts and sandboxes as they are now, mark
// hosts whose heartbeats stopped as lost, and apply the placement plan (placement.ts).
// Runs every few seconds in the job runner, and inline when an organisation first needs a
// sandbox, always under one advisory lock so two runs never place the same sandbox twice.
import { recordAuditEvent } from "../audit/record.ts";
import type { Db, Tx } from "../db/client.ts";
import { bumpHosts } from "./desired.ts";
import {
  type PlacementHost,
  type PlacementMove,
  type PlacementSandbox,
  planPlacement,
  whyUnplaced,
} from "./placement.ts";
import { cpuOvercommit, reservationsByOrg } from "./reservations.ts";

const scheduler = { type: "SYSTEM" as const, name: "Scheduler" };

export interface FleetOptions {
  now?: Date;
  deadlineSeconds: number;
}

/** Applies the placement plan inside `tx`; returns the moves made. */
export async function placeSandboxes(tx: Tx, options: FleetOptions): Promise<PlacementMove[]> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('fleet:placement', 0))`;
  const now = options.now ?? new Date();
  const liveSince = new Date(now.getTime() - options.deadlineSeconds * 1000);
  const [hosts, sandboxes] = await Promise.all([
    tx.workerHost.findMany(),
    tx.sandbox.findMany({
      where: { org: { deletedAt: null } },
      include: { org: { select: { placementLabels: true, isolation: true } } },
    }),
  ]);
  // A sandbox holds what its agents request, not its organisation's whole quota.
  const reserved = await reservationsByOrg(
    tx,
    sandboxes.map((s) => s.orgId),
  );
  const placementHosts: PlacementHost[] = hosts.map((h) => ({
    id: h.id,
    labels: h.labels as Record<string, string>,
    capacityMillis: h.capacityMillis * cpuOvercommit,
    capacityMemoryMb: h.capacityMemoryMb,
    live: !h.revokedAt && !h.lostAt && h.lastHeartbeatAt > liveSince,
    cordoned: h.cordoned,
    draining: h.draining,
    driverHealthy: h.driverHealthy,
  }));
  const placementSandboxes: PlacementSandbox[] = sandboxes.map((s) => ({
    orgId: s.orgId,
    hostId: s.hostId,
    cpuMillis: reserved.get(s.orgId)?.millis ?? 0,
    memoryMb: reserved.get(s.orgId)?.memoryMb ?? 0,
    requiredLabels: s.org.placementLabels as Record<string, string>,
    isolation: s.org.isolation,
    placedAs: s.isolation,
  }));
  const moves = planPlacement(placementHosts, placementSandboxes);
  const moved = new Set(moves.map((m) => m.orgId));
  for (const move of moves) {
    const sandbox = placementSandboxes.find((s) => s.orgId === move.orgId);
    const waiting = move.to || !sandbox ? null : whyUnplaced(placementHosts, sandbox);
    await tx.sandbox.update({
      where: { orgId: move.orgId },
      data: {
        hostId: move.to,
        state: "PENDING",
        reason: waiting && `waiting: ${waiting} (${move.reason})`,
        placedAt: move.to ? now : null,
        isolation: move.isolation,
      },
    });
    await bumpHosts(tx, [move.from, move.to]);
    const host = move.to ? hosts.find((h) => h.id === move.to) : undefined;
    await recordAuditEvent(tx, {
      orgId: move.orgId,
      actor: scheduler,
      action: move.to ? "sandbox.placed" : "sandbox.unplaced",
      target: { type: "sandbox", id: move.orgId, name: host?.name ?? "no host" },
      metadata: {
        from: move.from ?? "none",
        to: move.to ?? "none",
        reason: move.reason,
        isolation: move.isolation ?? "none",
      },
    });
  }
  // Sandboxes still waiting say why, as hosts and choices change (no audit: nothing moved).
  for (const s of sandboxes) {
    if (s.hostId || moved.has(s.orgId)) continue;
    const sandbox = placementSandboxes.find((p) => p.orgId === s.orgId);
    const reason = sandbox && `waiting: ${whyUnplaced(placementHosts, sandbox)}`;
    if (reason && s.reason !== reason)
      await tx.sandbox.update({ where: { orgId: s.orgId }, data: { reason } });
  }
  return moves;
}

/** One pass: mark silent hosts lost, then place. */
export async function reconcileFleet(db: Db, options: FleetOptions) {
  const now = options.now ?? new Date();
  const liveSince = new Date(now.getTime() - options.deadlineSeconds * 1000);
  return db.$transaction(async (tx) => {
    const lost = await tx.workerHost.updateManyAndReturn({
      where: { lostAt: null, revokedAt: null, lastHeartbeatAt: { lte: liveSince } },
      data: { lostAt: now },
    });
    for (const host of lost) {
      await recordAuditEvent(tx, {
        actor: scheduler,
        action: "worker.lost",
        target: { type: "worker_host", id: host.id, name: host.name },
        metadata: { lastHeartbeatAt: host.lastHeartbeatAt.toISOString() },
      });
    }
    const moves = await placeSandboxes(tx, { ...options, now });
    return { lost: lost.map((h) => h.name), moves };
  });
}
