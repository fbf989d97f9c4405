// Fleet factories for tests: hosts enrolled the real way, through an enrolment token.

import type { HostReport } from "../common/worker-protocol.ts";
import type { Db } from "../server/db/client.ts";
import { desiredStateFor } from "../server/fleet/desired.ts";
import { createEnrolmentToken, enrolHost } from "../server/fleet/enrolment.ts";

/**
 * What each test sandbox reserves on the host's disk (MiB). The product's default (10 GiB,
 * preallocated) times the sandboxes a run keeps at once would fill a CI machine's disk.
 */
export const testSandboxStorageMb = 2048;

export const operatorActor = { type: "USER" as const, name: "operator@example.test" };

export function hostReport(name: string, over: Partial<HostReport> = {}): HostReport {
  return {
    name,
    version: "0.1.0",
    labels: { zone: "test" },
    engine: {
      serverVersion: "20.10",
      operatingSystem: "Debian",
      cpus: 8,
      memoryBytes: 16384 * 1024 * 1024,
      containers: 0,
      runtimes: ["runc"],
    },
    driver: { name: "engine-container", healthy: true, capacity: { cpus: 8, memoryMb: 16384 } },
    ...over,
  };
}

/** Enrols a host named `name`; returns its id and credential. */
export async function enrolTestHost(db: Db, name: string, over: Partial<HostReport> = {}) {
  const { token } = await createEnrolmentToken(
    db,
    operatorActor,
    { description: name, ttlHours: 1 },
    {},
  );
  const result = await enrolHost(db, { ...hostReport(name, over), token }, {});
  if ("refused" in result) throw new Error(`enrolment refused: ${result.refused}`);
  return result;
}

/**
 * A host's desired state narrowed to `orgId`'s sandbox. Test files share one database and run
 * at once: another file's sandbox with no labels asked for may land on any host, this one too.
 */
export async function desiredStateOf(db: Db, hostId: string, orgId: string) {
  const state = await desiredStateFor(db, hostId);
  return { ...state, sandboxes: state.sandboxes.filter((s) => s.tenantId === orgId) };
}
