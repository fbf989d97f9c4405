// Proving a user owns their email address: a single-use, expiring link sent to it.
import type { AuditRequest } from "../audit/record.ts";
import { recordAuditEvent } from "../audit/record.ts";
import { webConfig } from "../core/config.ts";
import type { Db, Tx } from "../db/client.ts";
import { sendMail } from "../mail/mailer.ts";
import { verificationMail } from "../mail/templates.ts";
import { hashToken, newSecretToken } from "../tokens/secret-token.ts";

/** Stores a new verification token for `email` and returns the mail that carries it. */
export async function issueVerification(tx: Tx, user: { id: string; email: string }) {
  const { token, hash } = newSecretToken();
  const ttlHours = webConfig().CORRAL_EMAIL_VERIFICATION_TTL_HOURS;
  await tx.emailVerificationToken.create({
    data: {
      userId: user.id,
      email: user.email,
      tokenHash: hash,
      expiresAt: new Date(Date.now() + ttlHours * 3_600_000),
    },
  });
  const link = new URL(`/verify-email?token=${token}`, webConfig().AUTH_URL).toString();
  return verificationMail(user.email, link);
}

export async function resendVerification(db: Db, userId: string): Promise<void> {
  const mail = await db.$transaction(async (tx) => {
    const user = await tx.user.findUniqueOrThrow({ where: { id: userId } });
    if (user.emailVerifiedAt) return null;
    return issueVerification(tx, user);
  });
  if (mail) await sendMail(mail);
}

export type VerificationResult =
  | { ok: true; email: string }
  | { ok: false; reason: "invalid" | "expired" | "used" };

export async function verifyEmail(
  db: Db,
  token: string,
  request: AuditRequest,
): Promise<VerificationResult> {
  return db.$transaction(async (tx) => {
    const row = await tx.emailVerificationToken.findUnique({
      where: { tokenHash: hashToken(token) },
      include: { user: true },
    });
    if (!row) return { ok: false, reason: "invalid" } as const;
    if (row.usedAt) return { ok: false, reason: "used" } as const;
    if (row.expiresAt.getTime() <= Date.now()) return { ok: false, reason: "expired" } as const;
    // A link sent to an address the user has since changed proves nothing about the new one.
    if (row.email !== row.user.email) return { ok: false, reason: "invalid" } as const;
    await tx.emailVerificationToken.update({ where: { id: row.id }, data: { usedAt: new Date() } });
    if (!row.user.emailVerifiedAt) {
      await tx.user.update({ where: { id: row.userId }, data: { emailVerifiedAt: new Date() } });
      await recordAuditEvent(tx, {
        actor: { type: "USER", id: row.userId, name: row.user.email },
        action: "user.email_verified",
        target: { type: "user", id: row.userId, name: row.user.email },
        request,
      });
    }
    return { ok: true, email: row.email } as const;
  });
}
