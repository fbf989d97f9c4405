// Disk use a host measured: its sandboxes' storage and its agents' workspaces, written on the
// rows the pages read (latest value only; the worker sends a figure when it moved). Like the
// rest of a report, a host speaks only for organisations placed on it.

import type { DiskReport } from "../../common/worker-protocol.ts";
import type { Tx } from "../db/client.ts";
import type { Agent } from "../db/generated/client.ts";

/** Applies the disk part of a report; answers how many sandboxes it ignored (not this host's). */
export async function applyDiskReport(
  tx: Tx,
  placedHere: Set<string>,
  ownedAgents: Map<string, Agent>,
  disk: DiskReport,
): Promise<number> {
  const at = new Date();
  let ignored = 0;
  for (const s of disk.sandboxes) {
    if (!placedHere.has(s.tenantId)) {
      ignored++;
      continue;
    }
    await tx.sandbox.update({
      where: { orgId: s.tenantId },
      data: {
        storageUsedBytes: BigInt(s.usedBytes),
        storageSizeBytes: BigInt(s.sizeBytes),
        storageMeasuredAt: at,
      },
    });
  }
  // Agents of other organisations were counted as ignored with the rest of the report.
  for (const w of disk.workspaces) {
    if (!ownedAgents.has(w.agentId)) continue;
    await tx.agent.update({
      where: { id: w.agentId },
      data: {
        workspaceUsedBytes: BigInt(w.usedBytes),
        workspaceSizeBytes: BigInt(w.sizeBytes),
        workspaceMeasuredAt: at,
      },
    });
  }
  return ignored;
}
