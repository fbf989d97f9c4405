// Records an enrolled host's heartbeat: what it can hold and whether its driver is healthy.
// A host that was marked lost and beats again is back (its old sandboxes were re-placed).
// Changes of labels or capacity (what placement trusts) are audited.

import type { HeartbeatRequest } from "../../common/worker-protocol.ts";
import { recordAuditEvent } from "../audit/record.ts";
import type { Db } from "../db/client.ts";
import { checkedCapacity } from "./enrolment.ts";

export async function recordHeartbeat(
  db: Db,
  hostId: string,
  beat: HeartbeatRequest,
): Promise<void> {
  const capacity = checkedCapacity(beat);
  await db.$transaction(async (tx) => {
    const before = await tx.workerHost.findUniqueOrThrow({
      where: { id: hostId },
      select: { name: true, labels: true, capacityMillis: true, capacityMemoryMb: true },
    });
    await tx.workerHost.update({
      where: { id: hostId },
      data: {
        version: beat.version,
        labels: beat.labels,
        engine: beat.engine,
        driver: beat.driver.name,
        driverHealthy: beat.driver.healthy,
        driverReason: beat.driver.reason ?? null,
        ...capacity,
        lastHeartbeatAt: new Date(),
        lostAt: null,
      },
    });
    const labelsChanged = JSON.stringify(before.labels) !== JSON.stringify(beat.labels);
    const capacityChanged =
      before.capacityMillis !== capacity.capacityMillis ||
      before.capacityMemoryMb !== capacity.capacityMemoryMb;
    if (labelsChanged || capacityChanged)
      await recordAuditEvent(tx, {
        actor: { type: "WORKER", id: hostId, name: before.name },
        action: "worker.changed",
        target: { type: "worker_host", id: hostId, name: before.name },
        metadata: {
          before: {
            labels: before.labels as object,
            capacityMillis: before.capacityMillis,
            capacityMemoryMb: before.capacityMemoryMb,
          },
          after: { labels: beat.labels, ...capacity },
        },
      });
  });
}
