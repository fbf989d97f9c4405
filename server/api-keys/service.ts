// API keys: made by a member for one organisation, scoped to a subset of what their role
// allows, shown once, stored as a SHA-256 with a recognisable prefix, revocable.
import { randomBytes } from "node:crypto";
import { DomainError } from "../../common/errors.ts";
import { type AuditRequest, recordAuditEvent } from "../audit/record.ts";
import type { Acting } from "../auth/acting.ts";
import { can } from "../auth/permissions.ts";
import type { Db } from "../db/client.ts";
import { hashToken } from "../tokens/secret-token.ts";
import { apiKeyPrefix } from "./authenticate.ts";
import type { CreateApiKeyInput } from "./schemas.ts";

function refuseKeyActors(acting: Acting) {
  if (acting.audit.type === "API_KEY") {
    throw new DomainError("FORBIDDEN", "API keys cannot manage API keys; sign in to do this.");
  }
}

export async function createApiKey(
  db: Db,
  acting: Acting,
  orgId: string,
  input: CreateApiKeyInput,
  request: AuditRequest,
) {
  refuseKeyActors(acting);
  const beyondRole = input.scopes.filter((scope) => !can(acting.role, scope));
  if (beyondRole.length > 0) {
    throw new DomainError(
      "FORBIDDEN",
      `Your role does not allow ${beyondRole.join(", ")}, so a key of yours cannot.`,
      "scopes",
    );
  }
  const secret = `${apiKeyPrefix}${randomBytes(32).toString("base64url")}`;
  const prefix = secret.slice(0, 12);
  const expiresAt = input.expiresInDays
    ? new Date(Date.now() + input.expiresInDays * 86_400_000)
    : null;
  const key = await db.$transaction(async (tx) => {
    const created = await tx.apiKey.create({
      data: {
        orgId,
        createdById: acting.user.id,
        name: input.name,
        prefix,
        secretHash: hashToken(secret),
        scopes: [...new Set(input.scopes)],
        expiresAt,
      },
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "api_key.created",
      target: { type: "api_key", id: created.id, name: `${created.name} (${prefix}…)` },
      request,
      metadata: { scopes: created.scopes, expiresAt: expiresAt?.toISOString() ?? "never" },
    });
    return created;
  });
  return { id: key.id, prefix, secret };
}

export function listApiKeys(db: Db, orgId: string) {
  return db.apiKey.findMany({
    where: { orgId },
    select: {
      id: true,
      name: true,
      prefix: true,
      scopes: true,
      createdAt: true,
      expiresAt: true,
      lastUsedAt: true,
      revokedAt: true,
      createdBy: { select: { id: true, name: true } },
    },
    orderBy: { createdAt: "desc" },
  });
}

export async function revokeApiKey(
  db: Db,
  acting: Acting,
  orgId: string,
  keyId: string,
  request: AuditRequest,
) {
  refuseKeyActors(acting);
  await db.$transaction(async (tx) => {
    const key = await tx.apiKey.findFirst({ where: { id: keyId, orgId, revokedAt: null } });
    if (!key) throw new DomainError("NOT_FOUND", "That key does not exist or is already revoked.");
    if (key.createdById !== acting.user.id && !can(acting.role, "api_key.revoke_any")) {
      throw new DomainError("FORBIDDEN", "Only admins can revoke someone else's key.");
    }
    await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "api_key.revoked",
      target: { type: "api_key", id: key.id, name: `${key.name} (${key.prefix}…)` },
      request,
    });
  });
}
