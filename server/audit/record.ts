// The only way an audit event is written. Callers pass their transaction so the event
// commits or rolls back with the action it describes. (The audit issue adds the hash
// chain behind this same function.)
import type { Tx } from "../db/client.ts";
import type { ActorType, AuditOutcome } from "../db/generated/enums.ts";
import type { InputJsonValue } from "../db/generated/internal/prismaNamespace.ts";

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
  | "worker.registered";

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

export async function recordAuditEvent(tx: Tx, event: AuditEventInput): Promise<void> {
  await tx.auditEvent.create({
    data: {
      orgId: event.orgId ?? null,
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
    },
  });
}
