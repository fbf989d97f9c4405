// Server-side sessions. The browser's encrypted cookie holds only a session id; this table
// decides whether it is still good, so revoking a row signs that browser out at once.
import { randomBytes } from "node:crypto";
import type { AuditRequest } from "../audit/record.ts";
import type { Db, Tx } from "../db/client.ts";

// Writing lastSeenAt on every request would turn each read into a write.
const touchEveryMs = 60_000;

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  emailVerified: boolean;
}

export interface ValidSession {
  id: string;
  user: SessionUser;
  /** When it ends by itself (sessions kept in memory are checked against it on every use). */
  expiresAt?: Date;
}

export async function createSession(
  tx: Tx,
  userId: string,
  maxAgeHours: number,
  request: AuditRequest,
): Promise<string> {
  const id = randomBytes(32).toString("base64url");
  await tx.session.create({
    data: {
      id,
      userId,
      expiresAt: new Date(Date.now() + maxAgeHours * 3_600_000),
      ipAddress: request.ipAddress ?? null,
      userAgent: request.userAgent ?? null,
    },
  });
  return id;
}

/** The session and its user if `id` names a live session; null otherwise. */
export async function validateSession(db: Db, id: string): Promise<ValidSession | null> {
  const row = await db.session.findUnique({
    where: { id },
    include: { user: { select: { id: true, email: true, name: true, emailVerifiedAt: true } } },
  });
  const now = Date.now();
  if (!row || row.revokedAt || row.expiresAt.getTime() <= now) return null;
  if (now - row.lastSeenAt.getTime() > touchEveryMs) {
    await db.session.update({ where: { id }, data: { lastSeenAt: new Date(now) } });
  }
  const { emailVerifiedAt, ...user } = row.user;
  return {
    id: row.id,
    user: { ...user, emailVerified: emailVerifiedAt !== null },
    expiresAt: row.expiresAt,
  };
}

export async function revokeSession(tx: Tx, id: string): Promise<{ userId: string } | null> {
  const row = await tx.session.findUnique({
    where: { id },
    select: { userId: true, revokedAt: true },
  });
  if (!row || row.revokedAt) return null;
  await tx.session.update({ where: { id }, data: { revokedAt: new Date() } });
  return { userId: row.userId };
}
