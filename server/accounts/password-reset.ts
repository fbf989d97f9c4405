// Forgotten passwords: a single-use, one-hour link by email. Asking never reveals whether
// an account exists; using the link signs the account out everywhere.

import { DomainError } from "../../common/errors.ts";
import { type AuditRequest, recordAuditEvent } from "../audit/record.ts";
import { hashPassword } from "../auth/password.ts";
import { passwordProblem } from "../auth/password-policy.ts";
import { revokeAllSessions } from "../auth/sign-out-everywhere.ts";
import { webConfig } from "../core/config.ts";
import type { Db } from "../db/client.ts";
import { sendMail } from "../mail/mailer.ts";
import { passwordResetMail } from "../mail/templates.ts";
import { hashToken, newSecretToken } from "../tokens/secret-token.ts";

const ttlMs = 3_600_000;

export async function requestPasswordReset(
  db: Db,
  email: string,
  request: AuditRequest,
): Promise<void> {
  const user = await db.user.findUnique({ where: { email } });
  if (!user) return;
  const { token, hash } = newSecretToken();
  await db.$transaction(async (tx) => {
    await tx.passwordResetToken.create({
      data: { userId: user.id, tokenHash: hash, expiresAt: new Date(Date.now() + ttlMs) },
    });
    await recordAuditEvent(tx, {
      actor: { type: "USER", id: user.id, name: user.email },
      action: "auth.password_reset_requested",
      target: { type: "user", id: user.id, name: user.email },
      request,
    });
  });
  const link = new URL(`/reset-password?token=${token}`, webConfig().AUTH_URL).toString();
  await sendMail(passwordResetMail(user.email, link));
}

const invalidLink = "This reset link is not valid any more. Ask for a new one.";

export async function resetPassword(
  db: Db,
  token: string,
  password: string,
  request: AuditRequest,
  /** Also revoke every API key the person made (a reset often follows a compromise). */
  revokeApiKeys = false,
) {
  const row = await db.passwordResetToken.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { user: true },
  });
  if (!row || row.usedAt || row.expiresAt.getTime() <= Date.now())
    throw new DomainError("BAD_REQUEST", invalidLink);
  const problem = passwordProblem(password, row.user.email);
  if (problem) throw new DomainError("BAD_REQUEST", problem, "password");
  const passwordHash = await hashPassword(password);
  await db.$transaction(async (tx) => {
    // Claim the token first so two uses of one link cannot both succeed.
    const claimed = await tx.passwordResetToken.updateMany({
      where: { id: row.id, usedAt: null },
      data: { usedAt: new Date() },
    });
    if (claimed.count === 0) throw new DomainError("BAD_REQUEST", invalidLink);
    // The link arrived by email, which proves the address too.
    await tx.user.update({
      where: { id: row.userId },
      data: { passwordHash, emailVerifiedAt: row.user.emailVerifiedAt ?? new Date() },
    });
    await recordAuditEvent(tx, {
      actor: { type: "USER", id: row.userId, name: row.user.email },
      action: "auth.password_reset",
      target: { type: "user", id: row.userId, name: row.user.email },
      request,
    });
    await revokeAllSessions(tx, row.user, request, "password_reset", { revokeApiKeys });
  });
  return { email: row.user.email };
}
