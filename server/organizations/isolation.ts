// An organisation's wall: a microVM with its own kernel, or a privileged container with its
// own engine; unset, a microVM wherever a host offers one. Owners choose it unless an
// operator has locked it; operators can set and lock it for any organisation. A change
// re-places the sandbox at once: one in the wrong wall is made again (its agents restart,
// their workspaces are lost), and one no host can hold waits, saying why.
import { z } from "zod";
import { DomainError } from "../../common/errors.ts";
import { type AuditActor, type AuditRequest, recordAuditEvent } from "../audit/record.ts";
import { webConfig } from "../core/config.ts";
import type { Db, Tx } from "../db/client.ts";
import { withSystemScope } from "../db/tenant-scope.ts";
import { placeSandboxes } from "../fleet/controller.ts";
import { offersContainer, offersMicrovm } from "../fleet/placement.ts";
import { lockPlacement } from "../fleet/reservations.ts";

export const isolationChoices = ["MICROVM", "CONTAINER"] as const;
export type IsolationChoice = (typeof isolationChoices)[number];

/** null: automatic (a microVM where a host offers one, else a container). */
export const isolationSchema = z
  .enum(isolationChoices, {
    error: "Choose MICROVM, CONTAINER or null (automatic)",
  })
  .nullable();

export const setIsolationSchema = z.object({ isolation: isolationSchema });

// The organisation an operator acts on is named, not entered: `organization`, not the tenant
// procedures' `orgSlug` (an operator is no member, and no tenant check applies).
export const operatorIsolationSchema = z.object({
  organization: z.string().min(1).max(64),
  isolation: isolationSchema,
  /** Locked: the organisation's owners can no longer change it. */
  locked: z.boolean(),
});

export interface IsolationChange {
  orgId: string;
  isolation: IsolationChoice | null;
  /** Only an operator may set this; undefined keeps the lock as it is. */
  locked?: boolean;
  actor: AuditActor;
  request: AuditRequest;
}

/** Sets the wall (and, for operators, the lock); audited and re-placed in one transaction. */
export async function changeIsolation(db: Db, change: IsolationChange) {
  return db.$transaction(async (tx) => {
    // Placement's lock before the organisation's row and audit chain (lockPlacement says why).
    await lockPlacement(tx);
    const before = await tx.organization.findFirst({
      where: { id: change.orgId, deletedAt: null },
      select: { id: true, name: true, isolation: true, isolationLocked: true },
    });
    if (!before) throw new DomainError("NOT_FOUND", "No such organisation.");
    if (change.locked === undefined && before.isolationLocked)
      throw new DomainError(
        "FORBIDDEN",
        "Your operator has fixed this organisation's isolation; ask them to change it.",
        "isolation",
      );
    const locked = change.locked ?? before.isolationLocked;
    if (before.isolation === change.isolation && before.isolationLocked === locked)
      return { isolation: before.isolation, locked };
    await tx.organization.update({
      where: { id: before.id },
      data: { isolation: change.isolation, isolationLocked: locked },
    });
    await recordAuditEvent(tx, {
      orgId: before.id,
      actor: change.actor,
      action: "org.isolation_changed",
      target: { type: "organization", id: before.id, name: before.name },
      request: change.request,
      metadata: {
        before: { isolation: before.isolation ?? "AUTO", locked: before.isolationLocked },
        after: { isolation: change.isolation ?? "AUTO", locked },
      },
    });
    await replace(tx);
    return { isolation: change.isolation, locked };
  });
}

/** Placement weighs every tenant's sandboxes, so it looks past this tenant's scope. */
async function replace(tx: Tx) {
  await withSystemScope(tx, () =>
    placeSandboxes(tx, { deadlineSeconds: webConfig().CORRAL_WORKER_DEADLINE_SECONDS }),
  );
}

/** Which walls the fleet's live, open hosts offer now (for the settings page's advice). */
export async function fleetOffers(db: Db): Promise<{ microvm: boolean; container: boolean }> {
  const liveSince = new Date(Date.now() - webConfig().CORRAL_WORKER_DEADLINE_SECONDS * 1000);
  const hosts = await db.workerHost.findMany({
    where: {
      revokedAt: null,
      lostAt: null,
      cordoned: false,
      driverHealthy: true,
      lastHeartbeatAt: { gt: liveSince },
    },
    select: { labels: true },
  });
  const withLabels = hosts.map((h) => ({ labels: h.labels as Record<string, string> }));
  return {
    microvm: withLabels.some(offersMicrovm),
    container: withLabels.some(offersContainer),
  };
}

/** The organisation's sandbox, as the settings page shows it. */
export async function sandboxIsolation(db: Db, orgId: string) {
  return db.sandbox.findUnique({
    where: { orgId },
    select: { isolation: true, state: true, reason: true },
  });
}
