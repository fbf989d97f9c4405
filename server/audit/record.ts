// The only way an audit event is written. Callers pass their transaction so the event
// commits or rolls back with the action it describes, and a failed write fails the action.
import { randomUUID } from "node:crypto";
import type { Tx } from "../db/client.ts";
import type { ActorType, AuditOutcome } from "../db/generated/enums.ts";
import type { InputJsonValue } from "../db/generated/internal/prismaNamespace.ts";
import { type ChainedFields, eventHash, genesisHash, platformChain } from "./chain.ts";

export type AuditAction =
  | "auth.signed_in"
  | "auth.sign_in_failed"
  | "auth.signed_out"
  | "auth.signed_out_everywhere"
  | "auth.password_reset_requested"
  | "auth.password_reset"
  | "user.signed_up"
  | "user.email_verified"
  | "org.created"
  | "org.updated"
  | "org.deleted"
  | "member.added"
  | "member.invited"
  | "member.joined"
  | "member.role_changed"
  | "member.removed"
  | "invitation.resent"
  | "invitation.revoked"
  | "api_key.created"
  | "api_key.revoked"
  | "worker.registered"
  | "audit.exported"
  | "audit.verified";

export interface AuditActor {
  type: ActorType;
  id?: string;
  name: string;
}

export interface AuditRequest {
  ipAddress?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

export interface AuditEventInput {
  orgId?: string | null;
  actor: AuditActor;
  action: AuditAction;
  target?: { type: string; id: string; name?: string };
  outcome?: AuditOutcome;
  request?: AuditRequest;
  metadata?: Record<string, InputJsonValue>;
}

/**
 * Appends the event to its organisation's chain. A transaction-scoped advisory lock per
 * chain makes concurrent writers take turns, so the chain never forks; it is released when
 * the caller's transaction ends, with the action committed or rolled back.
 */
export async function recordAuditEvent(tx: Tx, event: AuditEventInput): Promise<void> {
  const chain = event.orgId ?? platformChain;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`audit:${chain}`}, 0))`;
  const last = await tx.auditEvent.findFirst({
    where: { chain, seq: { not: null } },
    orderBy: { seq: "desc" },
    select: { seq: true, hash: true },
  });
  const prevHash = last?.hash ?? genesisHash;
  const fields: ChainedFields = {
    id: randomUUID(),
    chain,
    seq: (last?.seq ?? 0) + 1,
    orgId: event.orgId ?? null,
    occurredAt: new Date(),
    actorType: event.actor.type,
    actorId: event.actor.id ?? null,
    actorName: event.actor.name,
    action: event.action,
    targetType: event.target?.type ?? null,
    targetId: event.target?.id ?? null,
    targetName: event.target?.name ?? null,
    outcome: event.outcome ?? "SUCCESS",
    ipAddress: event.request?.ipAddress ?? null,
    userAgent: event.request?.userAgent ?? null,
    requestId: event.request?.requestId ?? null,
    metadata: event.metadata ?? {},
  };
  await tx.auditEvent.create({
    data: {
      ...fields,
      actorType: event.actor.type,
      outcome: event.outcome ?? "SUCCESS",
      metadata: event.metadata ?? {},
      prevHash,
      hash: eventHash(prevHash, fields),
    },
  });
}
