// Creating and renaming organisations; each change is audited in its own transaction.

import { DomainError } from "../../common/errors.ts";
import { type AuditRequest, recordAuditEvent } from "../audit/record.ts";
import type { Acting } from "../auth/acting.ts";
import type { SessionUser } from "../auth/sessions.ts";
import { webConfig } from "../core/config.ts";
import type { Db } from "../db/client.ts";
import { bumpOrgHost } from "../fleet/desired.ts";

export async function createOrganization(
  db: Db,
  user: SessionUser,
  input: { name: string; slug: string },
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    // Read now, not from the session: a confirmation in another tab counts at once.
    const me = await tx.user.findUniqueOrThrow({
      where: { id: user.id },
      select: { emailVerifiedAt: true },
    });
    if (!me.emailVerifiedAt)
      throw new DomainError(
        "FORBIDDEN",
        "Confirm your email address first: open the link we sent you (or send a new one from the banner).",
      );
    const limit = webConfig().CORRAL_MAX_ORGS_PER_USER;
    const owned = await tx.membership.count({
      where: { userId: user.id, role: "OWNER", org: { deletedAt: null } },
    });
    if (owned >= limit)
      throw new DomainError(
        "FORBIDDEN",
        `You own ${owned} organisations, the most one person may own here (${limit}). Delete one, or ask an operator.`,
      );
    if (await tx.organization.findUnique({ where: { slug: input.slug }, select: { id: true } })) {
      throw new DomainError("CONFLICT", "That address is taken. Choose another.", "slug");
    }
    const org = await tx.organization.create({ data: { name: input.name, slug: input.slug } });
    await tx.membership.create({ data: { orgId: org.id, userId: user.id, role: "OWNER" } });
    const actor = { type: "USER" as const, id: user.id, name: user.email };
    await recordAuditEvent(tx, {
      orgId: org.id,
      actor,
      action: "org.created",
      target: { type: "organization", id: org.id, name: org.name },
      request,
      metadata: { slug: org.slug },
    });
    await recordAuditEvent(tx, {
      orgId: org.id,
      actor,
      action: "member.added",
      target: { type: "user", id: user.id, name: user.email },
      request,
      metadata: { role: "OWNER" },
    });
    return { slug: org.slug, name: org.name };
  });
}

export async function updateOrganization(
  db: Db,
  actor: Acting,
  orgId: string,
  input: { name: string; allowedEmailDomain: string | null },
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    const before = await tx.organization.findUniqueOrThrow({ where: { id: orgId } });
    const { name, allowedEmailDomain } = input;
    const updated = await tx.organization.update({
      where: { id: orgId },
      data: { name, allowedEmailDomain },
    });
    const changed = (["name", "allowedEmailDomain"] as const).filter(
      (k) => before[k] !== updated[k],
    );
    if (changed.length > 0) {
      await recordAuditEvent(tx, {
        orgId,
        actor: actor.audit,
        action: "org.updated",
        target: { type: "organization", id: orgId, name: updated.name },
        request,
        metadata: {
          before: Object.fromEntries(changed.map((k) => [k, before[k]])),
          after: Object.fromEntries(changed.map((k) => [k, updated[k]])),
        },
      });
    }
    return {
      slug: updated.slug,
      name: updated.name,
      allowedEmailDomain: updated.allowedEmailDomain,
    };
  });
}

/**
 * Deletes an organisation for everyone: memberships, pending invitations and API keys go at
 * once, the slug is freed, and the audit log is kept. Agents and sandboxes (when they
 * exist) are stopped and removed by the fleet once the organisation is gone.
 */
export async function deleteOrganization(
  db: Db,
  actor: Acting,
  org: { id: string; name: string; slug: string },
  confirmName: string,
  request: AuditRequest,
) {
  if (confirmName.trim() !== org.name) {
    throw new DomainError(
      "BAD_REQUEST",
      `Type the organisation's name, ${org.name}, to confirm.`,
      "confirmName",
    );
  }
  await db.$transaction(async (tx) => {
    // Its host must stop the agents now: wake it before the sandbox row goes.
    await bumpOrgHost(tx, org.id);
    const [members, invitations, keys, agents] = await Promise.all([
      tx.membership.deleteMany({ where: { orgId: org.id } }),
      tx.invitation.deleteMany({ where: { orgId: org.id } }),
      tx.apiKey.deleteMany({ where: { orgId: org.id } }),
      tx.agent.deleteMany({ where: { orgId: org.id } }),
      tx.sandbox.deleteMany({ where: { orgId: org.id } }),
      tx.auditWebhook.deleteMany({ where: { orgId: org.id } }),
    ]);
    await tx.organization.update({
      where: { id: org.id },
      data: { deletedAt: new Date(), slug: `${org.slug}--deleted-${org.id}` },
    });
    await recordAuditEvent(tx, {
      orgId: org.id,
      actor: actor.audit,
      action: "org.deleted",
      target: { type: "organization", id: org.id, name: org.name },
      request,
      metadata: {
        slug: org.slug,
        removed: {
          members: members.count,
          invitations: invitations.count,
          apiKeys: keys.count,
          agents: agents.count,
        },
      },
    });
  });
}
