// Where each organisation's sandbox runs. Pure: hosts and sandboxes in, moves out, so every
// rule is a table test. A sandbox stays where it is while its host can keep it; hosts that
// are lost, draining or revoked give theirs up; unplaced sandboxes go to the least-loaded
// host that accepts new work, has room for the organisation's quota, carries its labels and
// offers its isolation. Without a choice, a microVM host is preferred (the safer wall).

/** A tenant's wall, as the database spells it. */
export type Isolation = "MICROVM" | "CONTAINER";

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
  /** The organisation's choice; null: a microVM where a host offers one, else a container. */
  isolation?: Isolation | null;
  /** What it runs as now (null: not placed, or placed before isolation was recorded). */
  placedAs?: Isolation | null;
}

export interface PlacementMove {
  orgId: string;
  from: string | null;
  /** null: no host can take it now; it waits (PENDING) until one can. */
  to: string | null;
  reason: string;
  /** What it runs as on `to` (null when unplaced). */
  isolation: Isolation | null;
}

/** A host offers microVMs when its worker says so (label microvm=true, see the drivers). */
export const offersMicrovm = (h: Pick<PlacementHost, "labels">) => h.labels.microvm === "true";
/** Containers unless its worker runs microVMs only (container=false). */
export const offersContainer = (h: Pick<PlacementHost, "labels">) => h.labels.container !== "false";

/** What a sandbox would run as on this host, or null when the host cannot give it its wall. */
export function isolationOn(
  h: Pick<PlacementHost, "labels">,
  wanted: Isolation | null | undefined,
): Isolation | null {
  if (wanted === "MICROVM") return offersMicrovm(h) ? "MICROVM" : null;
  if (wanted === "CONTAINER") return offersContainer(h) ? "CONTAINER" : null;
  if (offersMicrovm(h)) return "MICROVM";
  return offersContainer(h) ? "CONTAINER" : null;
}

const isolationNames: Record<Isolation, string> = {
  MICROVM: "microVM isolation (microvm=true)",
  CONTAINER: "container isolation",
};

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
    // A sandbox placed before its organisation chose another wall is made again.
    const wrongWall = Boolean(s.isolation && s.placedAs && s.isolation !== s.placedAs);
    if (host && keeps(host) && !wrongWall) {
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
          : host.draining
            ? "its host is draining"
            : `its organisation now asks for ${isolationNames[s.isolation ?? "CONTAINER"]}`;
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
    // Without a choice, microVM hosts come first; then the least loaded.
    const rank = (h: PlacementHost) => (!s.isolation && offersMicrovm(h) ? 0 : 1);
    // The best candidate in one pass (a sort per sandbox was most of a large pass's time).
    let chosen: PlacementHost | undefined;
    let best = { rank: 0, load: 0 };
    for (const h of hosts) {
      if (!accepts(h) || !hasLabels(h, s.requiredLabels) || isolationOn(h, s.isolation) === null)
        continue;
      const here = { rank: rank(h), load: load(h, need) };
      if (here.load > 1) continue;
      const wins =
        !chosen ||
        (here.rank - best.rank || here.load - best.load || h.id.localeCompare(chosen.id)) < 0;
      if (wins) {
        chosen = h;
        best = here;
      }
    }
    if (chosen) {
      const u = used.get(chosen.id);
      if (u) {
        u.millis += need.millis;
        u.memoryMb += need.memoryMb;
      }
    }
    // Unchanged (still unplaced) sandboxes are not moves.
    if (chosen || s.hostId !== null)
      moves.push({
        orgId: s.orgId,
        from: s.hostId,
        to: chosen?.id ?? null,
        reason,
        isolation: chosen ? isolationOn(chosen, s.isolation) : null,
      });
  }
  return moves;
}

/** Why no host takes this sandbox now, in words for its organisation and the operator. */
export function whyUnplaced(hosts: PlacementHost[], s: PlacementSandbox): string {
  const open = hosts.filter(accepts);
  if (open.length === 0) return "no host accepts new sandboxes";
  const labelled = open.filter((h) => hasLabels(h, s.requiredLabels));
  if (labelled.length === 0)
    return `no host carries the labels ${Object.entries(s.requiredLabels)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}`;
  if (s.isolation && !labelled.some((h) => isolationOn(h, s.isolation) !== null))
    return `no host offers ${isolationNames[s.isolation]}`;
  return "no host has room for it";
}
