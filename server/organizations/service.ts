// Creating and renaming organisations; each change is audited in its own transaction.
import { type AuditRequest, recordAuditEvent } from "../audit/record.ts";
import type { Acting } from "../auth/acting.ts";
import type { SessionUser } from "../auth/sessions.ts";
import { DomainError } from "../core/errors.ts";
import type { Db } from "../db/client.ts";

export async function createOrganization(
  db: Db,
  user: SessionUser,
  input: { name: string; slug: string },
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
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

export async function renameOrganization(
  db: Db,
  actor: Acting,
  org: { id: string; name: string },
  name: string,
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    const updated = await tx.organization.update({ where: { id: org.id }, data: { name } });
    await recordAuditEvent(tx, {
      orgId: org.id,
      actor: actor.audit,
      action: "org.renamed",
      target: { type: "organization", id: org.id, name },
      request,
      metadata: { before: { name: org.name }, after: { name } },
    });
    return { slug: updated.slug, name: updated.name };
  });
}
