// Turning an `Authorization: Bearer crl_…` header into the key and the member behind it.
// A key works only while it is unrevoked, unexpired, and its maker is still a member.
import { ReadCache } from "../core/read-cache.ts";
import { type Db, isProcessDb } from "../db/client.ts";
import { hashToken } from "../tokens/secret-token.ts";

export const apiKeyPrefix = "crl_";

// Writing lastUsedAt on every call would turn each read into a write.
const touchEveryMs = 60_000;

export interface AuthenticatedKey {
  id: string;
  /** When it stops working by itself, if ever (checked on every use). */
  expiresAt?: Date | null;
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

// Keys are kept by their hash (never the secret), until their row or their maker's changes.
const keys = new ReadCache<AuthenticatedKey>({ ttlMs: 60_000, maxEntries: 20_000 }, isProcessDb);

export async function authenticateApiKey(db: Db, secret: string): Promise<AuthenticatedKey | null> {
  const secretHash = hashToken(secret);
  const key = await keys.read(db, secretHash, async () => {
    const found = await lookUp(db, secretHash);
    return found && { value: found, tags: [`apikey:${found.id}`, `user:${found.user.id}`] };
  });
  if (key?.expiresAt && key.expiresAt.getTime() <= Date.now()) return null;
  return key;
}

async function lookUp(db: Db, secretHash: string): Promise<AuthenticatedKey | null> {
  const key = await db.apiKey.findUnique({
    where: { secretHash },
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
    expiresAt: key.expiresAt,
    user: { ...user, emailVerified: emailVerifiedAt !== null },
  };
}
