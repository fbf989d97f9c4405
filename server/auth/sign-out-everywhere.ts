// Ending every session of a person at once (after a password reset, or on request), and, if
// they ask, every API key they made: keys act for them in each organisation.
import {
  type AuditEventInput,
  type AuditRequest,
  appendAuditEvents,
  recordAuditEvent,
} from "../audit/record.ts";
import type { Tx } from "../db/client.ts";

export async function revokeAllSessions(
  tx: Tx,
  user: { id: string; email: string },
  request: AuditRequest,
  reason: "requested" | "password_reset",
  options: { revokeApiKeys?: boolean } = {},
): Promise<number> {
  const { count } = await tx.session.updateMany({
    where: { userId: user.id, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  const keys = options.revokeApiKeys ? await revokeKeysOf(tx, user, request, reason) : 0;
  await recordAuditEvent(tx, {
    actor: { type: "USER", id: user.id, name: user.email },
    action: "auth.signed_out_everywhere",
    target: { type: "user", id: user.id, name: user.email },
    request,
    metadata: { sessions: count, reason, apiKeysRevoked: keys },
  });
  return count;
}

/** Revokes the person's live API keys in every organisation, each audited in its own log. */
async function revokeKeysOf(
  tx: Tx,
  user: { id: string; email: string },
  request: AuditRequest,
  reason: string,
): Promise<number> {
  const keys = await tx.apiKey.findMany({
    where: { createdById: user.id, revokedAt: null },
    select: { id: true, orgId: true, name: true, prefix: true },
  });
  await tx.apiKey.updateMany({
    where: { id: { in: keys.map((k) => k.id) } },
    data: { revokedAt: new Date() },
  });
  const events: AuditEventInput[] = keys.map((key) => ({
    orgId: key.orgId,
    actor: { type: "USER", id: user.id, name: user.email },
    action: "api_key.revoked",
    target: { type: "api_key", id: key.id, name: `${key.name} (${key.prefix}…)` },
    request,
    metadata: { reason },
  }));
  await appendAuditEvents(tx, events);
  return keys.length;
}
