// The fleet controller, level-triggered: look at hosts and sandboxes as they are now, mark
// hosts whose heartbeats stopped as lost, and apply the placement plan (placement.ts).
// Runs every few seconds in the job runner, and inline when an organisation first needs a
// sandbox, always under one advisory lock so two runs never place the same sandbox twice.
import { appendAuditEvents } from "../audit/record.ts";
import type { Db, Tx } from "../db/client.ts";
import { bumpHosts } from "./desired.ts";
import {
  type PlacementHost,
  type PlacementMove,
  type PlacementSandbox,
  planPlacement,
  whyUnplaced,
} from "./placement.ts";
import { cpuOvercommit, lockPlacement, reservationsByOrg } from "./reservations.ts";

const scheduler = { type: "SYSTEM" as const, name: "Scheduler" };

export interface FleetOptions {
  now?: Date;
  deadlineSeconds: number;
}

/** Applies the placement plan inside `tx`; returns the moves made. */
export async function placeSandboxes(tx: Tx, options: FleetOptions): Promise<PlacementMove[]> {
  await lockPlacement(tx);
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
  const sandboxOf = new Map(placementSandboxes.map((s) => [s.orgId, s]));
  const hostName = new Map(hosts.map((h) => [h.id, h.name]));
  // Every move in one statement, one wake-up per host and one audit append: re-placing the
  // sandboxes of a hundred lost hosts stays a handful of queries, not a few per sandbox.
  if (moves.length > 0) {
    const reasons = moves.map((move) => {
      const sandbox = sandboxOf.get(move.orgId);
      const waiting = move.to || !sandbox ? null : whyUnplaced(placementHosts, sandbox);
      return waiting && `waiting: ${waiting} (${move.reason})`;
    });
    // Prisma keeps DateTime as UTC in a timestamp without time zone.
    const at = now.toISOString().replace("Z", "");
    await tx.$executeRaw`
      UPDATE "Sandbox" AS s
      SET "hostId" = m.host, state = 'PENDING', reason = m.reason,
          "placedAt" = CASE WHEN m.host IS NULL THEN NULL ELSE ${at}::timestamp(3) END,
          isolation = m.isolation::"Isolation", "updatedAt" = ${at}::timestamp(3)
      FROM unnest(${moves.map((m) => m.orgId)}::text[], ${moves.map((m) => m.to)}::text[],
                  ${reasons}::text[], ${moves.map((m) => m.isolation)}::text[])
        AS m(org, host, reason, isolation)
      WHERE s."orgId" = m.org`;
    await bumpHosts(
      tx,
      moves.flatMap((m) => [m.from, m.to]),
    );
    await appendAuditEvents(
      tx,
      moves.map((move) => ({
        orgId: move.orgId,
        actor: scheduler,
        action: move.to ? "sandbox.placed" : "sandbox.unplaced",
        target: {
          type: "sandbox",
          id: move.orgId,
          name: (move.to && hostName.get(move.to)) || "no host",
        },
        metadata: {
          from: move.from ?? "none",
          to: move.to ?? "none",
          reason: move.reason,
          isolation: move.isolation ?? "none",
        },
      })),
    );
  }
  // Sandboxes still waiting say why, as hosts and choices change (no audit: nothing moved).
  for (const s of sandboxes) {
    if (s.hostId || moved.has(s.orgId)) continue;
    const sandbox = sandboxOf.get(s.orgId);
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
  return db.$transaction(
    async (tx) => {
      // Placement's lock first, before any host row or audit chain, as every path takes it.
      await lockPlacement(tx);
      const lost = await tx.workerHost.updateManyAndReturn({
        where: { lostAt: null, revokedAt: null, lastHeartbeatAt: { lte: liveSince } },
        data: { lostAt: now },
      });
      await appendAuditEvents(
        tx,
        lost.map((host) => ({
          actor: scheduler,
          action: "worker.lost",
          target: { type: "worker_host", id: host.id, name: host.name },
          metadata: { lastHeartbeatAt: host.lastHeartbeatAt.toISOString() },
        })),
      );
      const moves = await placeSandboxes(tx, { ...options, now });
      return { lost: lost.map((h) => h.name), moves };
    },
    // A pass over a large fleet (a thousand hosts losing a hundred) outlasts Prisma's 5 s
    // default; waiting for a connection is bounded too, and the next tick tries again.
    { timeout: 60_000, maxWait: 10_000 },
  );
}
