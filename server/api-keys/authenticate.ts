// Turning an `Authorization: Bearer crl_…` header into the key and the member behind it.
// A key works only while it is unrevoked, unexpired, and its maker is still a member.
import type { Db } from "../db/client.ts";
import { hashToken } from "../tokens/secret-token.ts";

export const apiKeyPrefix = "crl_";

// Writing lastUsedAt on every call would turn each read into a write.
const touchEveryMs = 60_000;

export interface AuthenticatedKey {
  id: string;
  name: string;
  prefix: string;
  orgId: string;
  scopes: string[];
  user: { id: string; email: string; name: string; emailVerified: boolean };
}

export function bearerApiKey(authorization: string | null): string | null {
  const match = authorization?.match(/^Bearer\s+(crl_\S+)$/);
  return match?.[1] ?? null;
}

export async function authenticateApiKey(db: Db, secret: string): Promise<AuthenticatedKey | null> {
  const key = await db.apiKey.findUnique({
    where: { secretHash: hashToken(secret) },
    include: {
      createdBy: { select: { id: true, email: true, name: true, emailVerifiedAt: true } },
    },
  });
  const now = Date.now();
  if (!key || key.revokedAt || (key.expiresAt && key.expiresAt.getTime() <= now)) return null;
  if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > touchEveryMs) {
    await db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date(now) } });
  }
  const { emailVerifiedAt, ...user } = key.createdBy;
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    orgId: key.orgId,
    scopes: key.scopes,
    user: { ...user, emailVerified: emailVerifiedAt !== null },
  };
}
