// Records a worker's heartbeat; the first one from a host name registers it (audited).
import { type AuditRequest, recordAuditEvent } from "../audit/record.ts";
import type { Db } from "../db/client.ts";
import type { HeartbeatRequest } from "./worker-protocol.ts";

export async function recordHeartbeat(
  db: Db,
  beat: HeartbeatRequest,
  request: AuditRequest,
): Promise<{ hostId: string }> {
  const now = new Date();
  const fields = { version: beat.version, labels: beat.labels, engine: beat.engine };
  const updated = await db.workerHost.updateManyAndReturn({
    where: { name: beat.name },
    data: { ...fields, lastHeartbeatAt: now },
    select: { id: true },
  });
  if (updated[0]) return { hostId: updated[0].id };

  return db.$transaction(async (tx) => {
    // Two first beats racing: the unique name lets one insert win; the other updates.
    const host = await tx.workerHost.upsert({
      where: { name: beat.name },
      create: { name: beat.name, ...fields, firstSeenAt: now, lastHeartbeatAt: now },
      update: { ...fields, lastHeartbeatAt: now },
    });
    if (host.firstSeenAt.getTime() === now.getTime()) {
      await recordAuditEvent(tx, {
        actor: { type: "WORKER", id: host.id, name: host.name },
        action: "worker.registered",
        target: { type: "worker_host", id: host.id, name: host.name },
        request,
        metadata: { version: beat.version, labels: beat.labels },
      });
    }
    return { hostId: host.id };
  });
}
