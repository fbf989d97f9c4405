// Records an enrolled host's heartbeat: what it can hold and whether its driver is healthy.
// A host that was marked lost and beats again is back (its old sandboxes were re-placed).
// Changes of labels or capacity (what placement trusts) are audited.

import type { HeartbeatRequest } from "../../common/worker-protocol.ts";
import { recordAuditEvent } from "../audit/record.ts";
import type { Db } from "../db/client.ts";
import { checkedCapacity } from "./enrolment.ts";
import { QuietBeats } from "./quiet-beats.ts";

/** What placement trusts, as the host's row last said it (e.g. read to authenticate it). */
export interface SeenHost {
  labels: unknown;
  capacityMillis: number;
  capacityMemoryMb: number;
}

/** Label sets compared by their pairs: jsonb keeps keys in its own order, not the sender's. */
export function sameLabels(a: unknown, b: Record<string, string>): boolean {
  const pairs = (o: object) =>
    JSON.stringify(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  return typeof a === "object" && a !== null && pairs(a) === pairs(b);
}

/**
 * `quietDb` writes the usual beat (a pool of its own in the worker API: see livenessDb); the
 * audited path uses `db`.
 */
export async function recordHeartbeat(
  db: Db,
  hostId: string,
  beat: HeartbeatRequest,
  seen?: SeenHost,
  quietDb: Db = db,
): Promise<void> {
  const capacity = checkedCapacity(beat);
  const fields = {
    version: beat.version,
    labels: beat.labels,
    engine: beat.engine,
    driver: beat.driver.name,
    driverHealthy: beat.driver.healthy,
    driverReason: beat.driver.reason ?? null,
    ...capacity,
    lastHeartbeatAt: new Date(),
    lostAt: null,
  };
  // The usual beat changes nothing placement trusts: written with other hosts' beats in one
  // statement, no transaction. It is guarded on those values, so a change that raced in
  // since `seen` takes the audited path.
  if (
    seen &&
    sameLabels(seen.labels, beat.labels) &&
    seen.capacityMillis === capacity.capacityMillis &&
    seen.capacityMemoryMb === capacity.capacityMemoryMb
  ) {
    if (await quietBeatsOf(quietDb).write({ hostId, beat, ...capacity })) return;
  }
  await db.$transaction(async (tx) => {
    const before = await tx.workerHost.findUniqueOrThrow({
      where: { id: hostId },
      select: { name: true, labels: true, capacityMillis: true, capacityMemoryMb: true },
    });
    await tx.workerHost.update({ where: { id: hostId }, data: fields });
    const labelsChanged = !sameLabels(before.labels, beat.labels);
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

const writers = new WeakMap<Db, QuietBeats>();

function quietBeatsOf(db: Db): QuietBeats {
  let writer = writers.get(db);
  if (!writer) {
    writer = new QuietBeats(db);
    writers.set(db, writer);
  }
  return writer;
}
