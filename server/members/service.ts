// Members of an organisation: who they are, changing their role, removing them.
// Two rules hold everywhere: nobody acts on or grants a role above their own, and an
// organisation always keeps at least one owner.

import { DomainError } from "../../common/errors.ts";
import { type AuditRequest, recordAuditEvent } from "../audit/record.ts";
import type { Acting } from "../auth/acting.ts";
import { canGrant } from "../auth/permissions.ts";
import type { Db, Tx } from "../db/client.ts";
import type { Role } from "../db/generated/enums.ts";
import { lockOrganization } from "../invitations/service.ts";

export type MemberActor = Acting;

export async function listMembers(db: Db, orgId: string) {
  const memberships = await db.membership.findMany({
    where: { orgId },
    include: { user: { select: { id: true, name: true, email: true } } },
    orderBy: { createdAt: "asc" },
  });
  const lastSeen = await db.session.groupBy({
    by: ["userId"],
    where: { userId: { in: memberships.map((m) => m.userId) } },
    _max: { lastSeenAt: true },
  });
  const lastSeenBy = new Map(lastSeen.map((s) => [s.userId, s._max.lastSeenAt]));
  return memberships.map((m) => ({
    userId: m.userId,
    name: m.user.name,
    email: m.user.email,
    role: m.role,
    joinedAt: m.createdAt,
    lastActiveAt: lastSeenBy.get(m.userId) ?? null,
  }));
}

async function targetMembership(tx: Tx, actor: MemberActor, orgId: string, userId: string) {
  const target = await tx.membership.findUnique({
    where: { orgId_userId: { orgId, userId } },
    include: { user: { select: { email: true } } },
  });
  if (!target) throw new DomainError("NOT_FOUND", "That person is not a member.");
  if (!canGrant(actor.role, target.role)) {
    throw new DomainError("FORBIDDEN", "You cannot change a member whose role is above your own.");
  }
  return target;
}

async function assertAnotherOwner(tx: Tx, orgId: string) {
  const owners = await tx.membership.count({ where: { orgId, role: "OWNER" } });
  if (owners <= 1) {
    throw new DomainError(
      "CONFLICT",
      "An organisation needs at least one owner. Make someone else owner first.",
    );
  }
}

export async function changeMemberRole(
  db: Db,
  actor: MemberActor,
  orgId: string,
  input: { userId: string; role: Role },
  request: AuditRequest,
) {
  if (!canGrant(actor.role, input.role)) {
    throw new DomainError("FORBIDDEN", "You cannot grant a role above your own.", "role");
  }
  await db.$transaction(async (tx) => {
    await lockOrganization(tx, orgId);
    const target = await targetMembership(tx, actor, orgId, input.userId);
    if (target.role === input.role) return;
    if (target.role === "OWNER") await assertAnotherOwner(tx, orgId);
    await tx.membership.update({ where: { id: target.id }, data: { role: input.role } });
    await recordAuditEvent(tx, {
      orgId,
      actor: actor.audit,
      action: "member.role_changed",
      target: { type: "user", id: input.userId, name: target.user.email },
      request,
      metadata: { before: { role: target.role }, after: { role: input.role } },
    });
  });
}

/** Removes a member; their sessions and keys lose this organisation on their next request. */
export async function removeMember(
  db: Db,
  actor: MemberActor,
  orgId: string,
  userId: string,
  request: AuditRequest,
) {
  await db.$transaction(async (tx) => {
    await lockOrganization(tx, orgId);
    const target = await targetMembership(tx, actor, orgId, userId);
    if (target.role === "OWNER") await assertAnotherOwner(tx, orgId);
    await tx.membership.delete({ where: { id: target.id } });
    // Their keys go with them: were they ever invited back, old keys must not wake up.
    const keys = await tx.apiKey.findMany({
      where: { orgId, createdById: userId, revokedAt: null },
      select: { id: true, name: true, prefix: true },
    });
    await tx.apiKey.updateMany({
      where: { id: { in: keys.map((k) => k.id) } },
      data: { revokedAt: new Date() },
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: actor.audit,
      action: "member.removed",
      target: { type: "user", id: userId, name: target.user.email },
      request,
      metadata: { role: target.role, apiKeysRevoked: keys.map((k) => `${k.name} (${k.prefix}…)`) },
    });
  });
}
