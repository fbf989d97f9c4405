// Ending every session of a person at once (after a password reset, or on request).
import { type AuditRequest, recordAuditEvent } from "../audit/record.ts";
import type { Tx } from "../db/client.ts";

export async function revokeAllSessions(
  tx: Tx,
  user: { id: string; email: string },
  request: AuditRequest,
  reason: "requested" | "password_reset",
): Promise<number> {
  const { count } = await tx.session.updateMany({
    where: { userId: user.id, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  await recordAuditEvent(tx, {
    actor: { type: "USER", id: user.id, name: user.email },
    action: "auth.signed_out_everywhere",
    target: { type: "user", id: user.id, name: user.email },
    request,
    metadata: { sessions: count, reason },
  });
  return count;
}
