// Organisation secrets and their grants to agents. Values are sealed at rest and are never
// returned, logged or audited: audit events carry the name and version only. Any change that
// affects what the gateway adds to requests wakes the host holding the sandbox, so a rotation
// or a revoked grant takes effect on the next request, without restarting an agent.

import { DomainError } from "../../common/errors.ts";
import { type AuditRequest, recordAuditEvent } from "../audit/record.ts";
import type { Acting } from "../auth/acting.ts";
import { seal } from "../crypto/secret-box.ts";
import type { Db, Tx } from "../db/client.ts";
import { bumpOrgHost } from "../fleet/desired.ts";
import type { CreateSecretInput, GrantSecretInput, SecretUsesInput } from "./schemas.ts";

const maxSecretsPerOrg = 200;

async function findSecret(tx: Tx | Db, orgId: string, secretId: string) {
  const secret = await tx.secret.findFirst({ where: { id: secretId, orgId } });
  if (!secret) throw new DomainError("NOT_FOUND", "That secret does not exist (any more).");
  return secret;
}

const target = (s: { id: string; name: string }) => ({ type: "secret", id: s.id, name: s.name });

/** Names, versions, grants and last use: everything but the value. */
export async function listSecrets(db: Db, orgId: string) {
  const secrets = await db.secret.findMany({
    where: { orgId },
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      description: true,
      version: true,
      createdAt: true,
      rotatedAt: true,
      lastUsedAt: true,
      grants: {
        orderBy: { createdAt: "asc" },
        select: {
          id: true,
          hosts: true,
          pathPrefix: true,
          headerName: true,
          headerTemplate: true,
          placeholderEnv: true,
          createdAt: true,
          agent: { select: { id: true, name: true } },
        },
      },
    },
  });
  return secrets;
}

export async function createSecret(
  db: Db,
  acting: Acting,
  orgId: string,
  input: CreateSecretInput,
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    if ((await tx.secret.count({ where: { orgId } })) >= maxSecretsPerOrg)
      throw new DomainError(
        "BAD_REQUEST",
        `An organisation holds at most ${maxSecretsPerOrg} secrets.`,
      );
    if (await tx.secret.findUnique({ where: { orgId_name: { orgId, name: input.name } } }))
      throw new DomainError("CONFLICT", `A secret named ${input.name} already exists.`, "name");
    const secret = await tx.secret.create({
      data: {
        orgId,
        name: input.name,
        description: input.description,
        valueSealed: seal(input.value),
      },
      select: { id: true, name: true, version: true },
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "secret.created",
      target: target(secret),
      request,
      metadata: { version: secret.version },
    });
    return secret;
  });
}

export async function updateSecret(
  db: Db,
  acting: Acting,
  orgId: string,
  input: { secretId: string; description: string },
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    const before = await findSecret(tx, orgId, input.secretId);
    await tx.secret.update({ where: { id: before.id }, data: { description: input.description } });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "secret.updated",
      target: target(before),
      request,
      metadata: {
        before: { description: before.description },
        after: { description: input.description },
      },
    });
    return { id: before.id };
  });
}

/** A new value and version; the gateway uses it from the next request on. */
export async function rotateSecret(
  db: Db,
  acting: Acting,
  orgId: string,
  input: { secretId: string; value: string },
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    const before = await findSecret(tx, orgId, input.secretId);
    const after = await tx.secret.update({
      where: { id: before.id },
      data: { valueSealed: seal(input.value), version: { increment: 1 }, rotatedAt: new Date() },
      select: { id: true, name: true, version: true },
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "secret.rotated",
      target: target(after),
      request,
      metadata: { fromVersion: before.version, toVersion: after.version },
    });
    await bumpOrgHost(tx, orgId);
    return after;
  });
}

/** Deleting a secret revokes every grant of it at once (they go with it). */
export async function deleteSecret(
  db: Db,
  acting: Acting,
  orgId: string,
  input: { secretId: string; confirmName: string },
  request: AuditRequest,
) {
  await db.$transaction(async (tx) => {
    const secret = await findSecret(tx, orgId, input.secretId);
    if (input.confirmName.trim() !== secret.name)
      throw new DomainError(
        "BAD_REQUEST",
        `Type the secret's name, ${secret.name}, to confirm.`,
        "confirmName",
      );
    const grants = await tx.secretGrant.count({ where: { secretId: secret.id } });
    await tx.secret.delete({ where: { id: secret.id } });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "secret.deleted",
      target: target(secret),
      request,
      metadata: { version: secret.version, grantsRevoked: grants },
    });
    await bumpOrgHost(tx, orgId);
  });
}

export async function grantSecret(
  db: Db,
  acting: Acting,
  orgId: string,
  input: GrantSecretInput,
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    const secret = await findSecret(tx, orgId, input.secretId);
    const agent = await tx.agent.findFirst({ where: { id: input.agentId, orgId } });
    if (!agent)
      throw new DomainError("NOT_FOUND", "That agent does not exist (any more).", "agentId");
    if (input.placeholderEnv) {
      const env = agent.env as Record<string, string>;
      const taken = input.placeholderEnv in env;
      const other = await tx.secretGrant.findFirst({
        where: {
          agentId: agent.id,
          placeholderEnv: input.placeholderEnv,
          secretId: { not: secret.id },
        },
      });
      if (taken || other)
        throw new DomainError(
          "CONFLICT",
          `${input.placeholderEnv} is already set for ${agent.name}.`,
          "placeholderEnv",
        );
    }
    const data = {
      hosts: [...new Set(input.hosts)],
      pathPrefix: input.pathPrefix || null,
      headerName: input.headerName,
      headerTemplate: input.headerTemplate,
      placeholderEnv: input.placeholderEnv || null,
    };
    const grant = await tx.secretGrant.upsert({
      where: { agentId_secretId: { agentId: agent.id, secretId: secret.id } },
      create: { orgId, secretId: secret.id, agentId: agent.id, ...data },
      update: data,
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "secret.granted",
      target: target(secret),
      request,
      metadata: {
        agent: { id: agent.id, name: agent.name },
        version: secret.version,
        hosts: data.hosts,
        pathPrefix: data.pathPrefix ?? "",
        header: `${data.headerName}: ${data.headerTemplate}`,
        placeholderEnv: data.placeholderEnv ?? "",
      },
    });
    await bumpOrgHost(tx, orgId);
    return grant;
  });
}

export async function revokeGrant(
  db: Db,
  acting: Acting,
  orgId: string,
  grantId: string,
  request: AuditRequest,
) {
  await db.$transaction(async (tx) => {
    const grant = await tx.secretGrant.findFirst({
      where: { id: grantId, orgId },
      include: { secret: true, agent: { select: { id: true, name: true } } },
    });
    if (!grant) throw new DomainError("NOT_FOUND", "That grant does not exist (any more).");
    await tx.secretGrant.delete({ where: { id: grant.id } });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "secret.grant_revoked",
      target: target(grant.secret),
      request,
      metadata: { agent: grant.agent, hosts: grant.hosts },
    });
    await bumpOrgHost(tx, orgId);
  });
}

/** The secret-use ledger, newest first, filtered and paged by id. */
export async function secretUses(db: Db, orgId: string, input: SecretUsesInput) {
  const rows = await db.secretUse.findMany({
    where: {
      orgId,
      ...(input.agentId && { agentId: input.agentId }),
      ...(input.secretId && { secretId: input.secretId }),
      ...(input.host && { host: input.host.toLowerCase() }),
      ...(input.before && { id: { lt: BigInt(input.before) } }),
    },
    orderBy: { id: "desc" },
    take: input.limit,
    include: { agent: { select: { name: true } } },
  });
  return rows.map(({ agent, ...row }) => ({
    ...row,
    id: row.id.toString(),
    bytes: Number(row.bytes),
    agentName: agent.name,
  }));
}
