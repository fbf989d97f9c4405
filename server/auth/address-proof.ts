// Account pre-hijacking: someone signs up with another person's address and a password, and
// waits. When the owner of the address first proves it (a sign-in link, or single sign-on whose
// provider vouches for the address), whatever was set up without that proof goes: the
// unverified password and every session it opened. And an SSO identity joins an existing
// account by email only when its provider says it verified that email.

import type { AuditRequest } from "../audit/record.ts";
import { recordAuditEvent } from "../audit/record.ts";
import type { Tx } from "../db/client.ts";

/** The address is now proven by its owner: drop what was set up without proof, mark it verified. */
export async function claimProvenAddress(
  tx: Tx,
  userId: string,
  method: string,
  request: AuditRequest,
) {
  const user = await tx.user.findUnique({
    where: { id: userId },
    select: { email: true, emailVerifiedAt: true, passwordHash: true },
  });
  if (!user || user.emailVerifiedAt) return;
  if (user.passwordHash) {
    const { count } = await tx.session.updateMany({
      where: { userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    await tx.user.update({ where: { id: userId }, data: { passwordHash: null } });
    await recordAuditEvent(tx, {
      actor: { type: "USER", id: userId, name: user.email },
      action: "auth.unproven_password_dropped",
      target: { type: "user", id: userId, name: user.email },
      request,
      metadata: { provenBy: method, sessionsRevoked: count },
    });
  }
  await tx.user.update({ where: { id: userId }, data: { emailVerifiedAt: new Date() } });
}

/**
 * May this SSO sign-in proceed? A new address, or an account already linked to this identity,
 * always; an existing account found by email only when the provider verified the email.
 */
export function ssoLinkAllowed(input: {
  providerVerifiedEmail: boolean;
  existingUserByEmail: boolean;
  alreadyLinked: boolean;
}): boolean {
  if (input.alreadyLinked || !input.existingUserByEmail) return true;
  return input.providerVerifiedEmail;
}
