// Invitations: an admin invites an email address with a role; the invitee opens the link,
// signs in with that (verified) address and accepts. Tokens are single-use, expire, and are
// stored only as SHA-256. Mail goes out after the transaction commits.

import { DomainError } from "../../common/errors.ts";
import { type AuditRequest, recordAuditEvent } from "../audit/record.ts";
import type { Acting } from "../auth/acting.ts";
import { canGrant } from "../auth/permissions.ts";
import type { SessionUser } from "../auth/sessions.ts";
import { webConfig } from "../core/config.ts";
import type { Db, Tx } from "../db/client.ts";
import type { Role } from "../db/generated/enums.ts";
import { sendMail } from "../mail/mailer.ts";
import { invitationMail } from "../mail/templates.ts";
import { hashToken, newSecretToken } from "../tokens/secret-token.ts";

export type Inviter = Acting;

interface OrgRef {
  id: string;
  name: string;
}

const pending = () => ({ acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } });

function expiry(): Date {
  return new Date(Date.now() + webConfig().CORRAL_INVITATION_TTL_DAYS * 86_400_000);
}

/** Sent after the transaction commits: a lost mail can be resent, a rolled-back row cannot. */
function mailInvitation(
  invitation: { email: string; role: Role; expiresAt: Date },
  token: string,
  org: OrgRef,
  inviter: Inviter,
) {
  return sendMail(
    invitationMail({
      to: invitation.email,
      orgName: org.name,
      inviterName: inviter.user.name,
      role: invitation.role,
      link: new URL(`/invite/${token}`, webConfig().AUTH_URL).toString(),
      expiresAt: invitation.expiresAt,
    }),
  );
}

/** Serialises seat counting and membership changes within one organisation. */
export async function lockOrganization(tx: Tx, orgId: string) {
  const rows = await tx.$queryRaw<{ seatLimit: number; allowedEmailDomain: string | null }[]>`
    SELECT "seatLimit", "allowedEmailDomain" FROM "Organization" WHERE id = ${orgId} FOR UPDATE`;
  const org = rows[0];
  if (!org) throw new DomainError("NOT_FOUND", "No such organisation.");
  return org;
}

export async function inviteMember(
  db: Db,
  inviter: Inviter,
  org: OrgRef,
  input: { email: string; role: Role },
  request: AuditRequest,
) {
  if (!canGrant(inviter.role, input.role)) {
    throw new DomainError(
      "FORBIDDEN",
      "You cannot invite someone to a role above your own.",
      "role",
    );
  }
  const { token, hash } = newSecretToken();
  const invitation = await db.$transaction(async (tx) => {
    const { seatLimit, allowedEmailDomain } = await lockOrganization(tx, org.id);
    if (allowedEmailDomain && !input.email.endsWith(`@${allowedEmailDomain}`)) {
      throw new DomainError(
        "BAD_REQUEST",
        `Only addresses at ${allowedEmailDomain} can be invited.`,
        "email",
      );
    }
    const member = await tx.membership.findFirst({
      where: { orgId: org.id, user: { email: input.email } },
    });
    if (member) throw new DomainError("CONFLICT", `${input.email} is already a member.`, "email");
    const existing = await tx.invitation.findFirst({
      where: { orgId: org.id, email: input.email, ...pending() },
    });
    if (existing) {
      throw new DomainError(
        "CONFLICT",
        `${input.email} already has a pending invitation. Resend it instead.`,
        "email",
      );
    }
    const [members, invitations] = await Promise.all([
      tx.membership.count({ where: { orgId: org.id } }),
      tx.invitation.count({ where: { orgId: org.id, ...pending() } }),
    ]);
    if (members + invitations >= seatLimit) {
      throw new DomainError(
        "CONFLICT",
        `All ${seatLimit} seats of your plan are taken by members and pending invitations.`,
      );
    }
    const created = await tx.invitation.create({
      data: {
        orgId: org.id,
        email: input.email,
        role: input.role,
        tokenHash: hash,
        invitedById: inviter.user.id,
        expiresAt: expiry(),
      },
    });
    await recordAuditEvent(tx, {
      orgId: org.id,
      actor: inviter.audit,
      action: "member.invited",
      target: { type: "invitation", id: created.id, name: created.email },
      request,
      metadata: { role: created.role, expiresAt: created.expiresAt.toISOString() },
    });
    return created;
  });
  await mailInvitation(invitation, token, org, inviter);
  return { invitationId: invitation.id };
}

async function findPendingOrThrow(tx: Tx, orgId: string, invitationId: string) {
  const invitation = await tx.invitation.findFirst({
    where: { id: invitationId, orgId, ...pending() },
  });
  if (!invitation) throw new DomainError("NOT_FOUND", "That invitation is no longer pending.");
  return invitation;
}

/** Sends the invitation again with a fresh token (the old link stops working) and expiry. */
export async function resendInvitation(
  db: Db,
  inviter: Inviter,
  org: OrgRef,
  invitationId: string,
  request: AuditRequest,
) {
  const { token, hash } = newSecretToken();
  const invitation = await db.$transaction(async (tx) => {
    const found = await findPendingOrThrow(tx, org.id, invitationId);
    if (!canGrant(inviter.role, found.role)) {
      throw new DomainError(
        "FORBIDDEN",
        "You cannot resend an invitation to a role above your own.",
      );
    }
    const updated = await tx.invitation.update({
      where: { id: found.id },
      data: { tokenHash: hash, expiresAt: expiry(), sentAt: new Date() },
    });
    await recordAuditEvent(tx, {
      orgId: org.id,
      actor: inviter.audit,
      action: "invitation.resent",
      target: { type: "invitation", id: updated.id, name: updated.email },
      request,
    });
    return updated;
  });
  await mailInvitation(invitation, token, org, inviter);
}

export async function revokeInvitation(
  db: Db,
  inviter: Inviter,
  org: OrgRef,
  invitationId: string,
  request: AuditRequest,
) {
  await db.$transaction(async (tx) => {
    const found = await findPendingOrThrow(tx, org.id, invitationId);
    await tx.invitation.update({ where: { id: found.id }, data: { revokedAt: new Date() } });
    await recordAuditEvent(tx, {
      orgId: org.id,
      actor: inviter.audit,
      action: "invitation.revoked",
      target: { type: "invitation", id: found.id, name: found.email },
      request,
    });
  });
}

export function listPendingInvitations(db: Db, orgId: string) {
  return db.invitation.findMany({
    where: { orgId, ...pending() },
    select: {
      id: true,
      email: true,
      role: true,
      createdAt: true,
      sentAt: true,
      expiresAt: true,
      invitedBy: { select: { name: true } },
    },
    orderBy: { createdAt: "desc" },
  });
}

export type InvitationState = "invalid" | "revoked" | "accepted" | "expired" | "pending";

export const invitationProblems: Record<Exclude<InvitationState, "pending">, string> = {
  invalid:
    "This invitation link is not valid. Check that you opened the whole link, or ask for a new invitation.",
  revoked: "This invitation was withdrawn. Ask an administrator of the organisation for a new one.",
  accepted: "This invitation has already been used.",
  expired: "This invitation has expired. Ask an administrator of the organisation to resend it.",
};

function stateOf(
  inv: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date } | null,
): InvitationState {
  if (!inv) return "invalid";
  if (inv.revokedAt) return "revoked";
  if (inv.acceptedAt) return "accepted";
  if (inv.expiresAt.getTime() <= Date.now()) return "expired";
  return "pending";
}

export type InvitationView =
  | { state: Exclude<InvitationState, "pending"> }
  | { state: "pending"; email: string; role: Role; orgName: string; inviterName: string };

/** What the invitation link shows before anyone accepts it. */
export async function inspectInvitation(db: Db, token: string): Promise<InvitationView> {
  const inv = await db.invitation.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { org: { select: { name: true, slug: true } }, invitedBy: { select: { name: true } } },
  });
  const state = stateOf(inv);
  if (!inv || state !== "pending") return { state: state === "pending" ? "invalid" : state };
  return {
    state,
    email: inv.email,
    role: inv.role,
    orgName: inv.org.name,
    inviterName: inv.invitedBy?.name ?? "An administrator",
  };
}

/** Joins the organisation in one transaction; the signed-in user's verified email must match. */
export async function acceptInvitation(
  db: Db,
  user: SessionUser,
  token: string,
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    // Lock the invitation so two accepts of one link cannot both succeed.
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Invitation" WHERE "tokenHash" = ${hashToken(token)} FOR UPDATE`;
    const inv = locked[0]
      ? await tx.invitation.findUnique({ where: { id: locked[0].id }, include: { org: true } })
      : null;
    const state = stateOf(inv);
    if (!inv || state !== "pending") {
      throw new DomainError(
        state === "invalid" ? "NOT_FOUND" : "CONFLICT",
        invitationProblems[state as Exclude<InvitationState, "pending">],
      );
    }
    const account = await tx.user.findUniqueOrThrow({ where: { id: user.id } });
    if (account.email !== inv.email) {
      throw new DomainError(
        "FORBIDDEN",
        `This invitation is for ${inv.email}, but you are signed in as ${account.email}.`,
      );
    }
    if (!account.emailVerifiedAt) {
      throw new DomainError(
        "FORBIDDEN",
        "Confirm your email address first: open the link we emailed you.",
      );
    }
    await lockOrganization(tx, inv.orgId);
    if (
      await tx.membership.findUnique({
        where: { orgId_userId: { orgId: inv.orgId, userId: user.id } },
      })
    ) {
      throw new DomainError("CONFLICT", `You are already a member of ${inv.org.name}.`);
    }
    await tx.membership.create({ data: { orgId: inv.orgId, userId: user.id, role: inv.role } });
    await tx.invitation.update({
      where: { id: inv.id },
      data: { acceptedAt: new Date(), acceptedById: user.id },
    });
    await recordAuditEvent(tx, {
      orgId: inv.orgId,
      actor: { type: "USER", id: user.id, name: account.email },
      action: "member.joined",
      target: { type: "user", id: user.id, name: account.email },
      request,
      metadata: { role: inv.role, invitationId: inv.id },
    });
    return { orgSlug: inv.org.slug };
  });
}
