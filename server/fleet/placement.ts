// Where each organisation's sandbox runs. Pure: hosts and sandboxes in, moves out, so every
// rule is a table test. A sandbox stays where it is while its host can keep it; hosts that
// are lost, draining or revoked give theirs up; unplaced sandboxes go to the least-loaded
// host that accepts new work, has room for the organisation's quota and carries its labels.

export interface PlacementHost {
  id: string;
  labels: Record<string, string>;
  capacityMillis: number;
  capacityMemoryMb: number;
  /** Heartbeating within the deadline, credential not revoked. */
  live: boolean;
  cordoned: boolean;
  draining: boolean;
  driverHealthy: boolean;
}

export interface PlacementSandbox {
  orgId: string;
  hostId: string | null;
  cpuMillis: number;
  memoryMb: number;
  requiredLabels: Record<string, string>;
}

export interface PlacementMove {
  orgId: string;
  from: string | null;
  /** null: no host can take it now; it waits (PENDING) until one can. */
  to: string | null;
  reason: string;
}

const keeps = (h: PlacementHost) => h.live && !h.draining;
const accepts = (h: PlacementHost) => keeps(h) && !h.cordoned && h.driverHealthy;
const hasLabels = (h: PlacementHost, required: Record<string, string>) =>
  Object.entries(required).every(([k, v]) => h.labels[k] === v);

export function planPlacement(
  hosts: PlacementHost[],
  sandboxes: PlacementSandbox[],
): PlacementMove[] {
  const byId = new Map(hosts.map((h) => [h.id, h]));
  const used = new Map(hosts.map((h) => [h.id, { millis: 0, memoryMb: 0 }]));
  const moves: PlacementMove[] = [];
  const toPlace: { sandbox: PlacementSandbox; reason: string }[] = [];

  for (const s of [...sandboxes].sort((a, b) => a.orgId.localeCompare(b.orgId))) {
    const host = s.hostId ? byId.get(s.hostId) : undefined;
    if (host && keeps(host)) {
      const u = used.get(host.id);
      if (u) {
        u.millis += s.cpuMillis;
        u.memoryMb += s.memoryMb;
      }
      continue;
    }
    const reason = !s.hostId
      ? "not placed yet"
      : !host
        ? "its host is gone"
        : !host.live
          ? "its host stopped heartbeating"
          : "its host is draining";
    toPlace.push({ sandbox: s, reason });
  }

  for (const { sandbox: s, reason } of toPlace) {
    const load = (h: PlacementHost, extra: { millis: number; memoryMb: number }) => {
      const u = used.get(h.id) ?? { millis: 0, memoryMb: 0 };
      return Math.max(
        (u.millis + extra.millis) / Math.max(1, h.capacityMillis),
        (u.memoryMb + extra.memoryMb) / Math.max(1, h.capacityMemoryMb),
      );
    };
    const need = { millis: s.cpuMillis, memoryMb: s.memoryMb };
    const candidates = hosts
      .filter((h) => accepts(h) && hasLabels(h, s.requiredLabels) && load(h, need) <= 1)
      .sort((a, b) => load(a, need) - load(b, need) || a.id.localeCompare(b.id));
    const chosen = candidates[0];
    if (chosen) {
      const u = used.get(chosen.id);
      if (u) {
        u.millis += need.millis;
        u.memoryMb += need.memoryMb;
      }
    }
    // Unchanged (still unplaced) sandboxes are not moves.
    if (chosen || s.hostId !== null)
      moves.push({ orgId: s.orgId, from: s.hostId, to: chosen?.id ?? null, reason });
  }
  return moves;
}
