// Records an enrolled host's heartbeat: what it can hold and whether its driver is healthy.
// A host that was marked lost and beats again is back (its old sandboxes were re-placed).
import type { Db } from "../db/client.ts";
import type { HeartbeatRequest } from "./worker-protocol.ts";

export async function recordHeartbeat(
  db: Db,
  hostId: string,
  beat: HeartbeatRequest,
): Promise<void> {
  await db.workerHost.update({
    where: { id: hostId },
    data: {
      version: beat.version,
      labels: beat.labels,
      engine: beat.engine,
      driver: beat.driver.name,
      driverHealthy: beat.driver.healthy,
      driverReason: beat.driver.reason ?? null,
      capacityMillis: Math.round(beat.driver.capacity.cpus * 1000),
      capacityMemoryMb: beat.driver.capacity.memoryMb,
      lastHeartbeatAt: new Date(),
      lostAt: null,
    },
  });
}
