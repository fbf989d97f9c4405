// Webhook sinks and retention: an organisation's settings for where its audit log goes and
// how long it stays. Signing secrets are sealed at rest and shown only when made.

import { isIP } from "node:net";
import { DomainError } from "../../../common/errors.ts";
import { isInternalAddress } from "../../../common/internal-addresses.ts";
import type { Acting } from "../../auth/acting.ts";
import { webConfig } from "../../core/config.ts";
import { seal } from "../../crypto/secret-box.ts";
import type { Db, Tx } from "../../db/client.ts";
import { type AuditRequest, recordAuditEvent } from "../record.ts";
import type { CreateWebhookInput, UpdateWebhookInput } from "./schemas.ts";
import { newWebhookSecret } from "./signature.ts";

const maxWebhooksPerOrg = 10;

/** Plain http and internal hosts only where the deployment allows them (development). */
function checkEndpoint(url: string) {
  const target = new URL(url);
  if (target.username || target.password)
    throw new DomainError(
      "BAD_REQUEST",
      "Put credentials in the signing secret, not in the URL",
      "url",
    );
  if (webConfig().CORRAL_WEBHOOK_ALLOW_PRIVATE) return;
  if (target.protocol !== "https:")
    throw new DomainError("BAD_REQUEST", "Webhook endpoints must use https://", "url");
  const host = target.hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || (isIP(host) !== 0 && isInternalAddress(host)))
    throw new DomainError("BAD_REQUEST", "Webhook endpoints must be public addresses", "url");
}

async function headSeq(tx: Tx | Db, orgId: string): Promise<number> {
  const last = await tx.auditEvent.findFirst({
    where: { chain: orgId, seq: { not: null } },
    orderBy: { seq: "desc" },
    select: { seq: true },
  });
  return last?.seq ?? 0;
}

async function findWebhook(tx: Tx, orgId: string, webhookId: string) {
  const hook = await tx.auditWebhook.findFirst({ where: { id: webhookId, orgId } });
  if (!hook) throw new DomainError("NOT_FOUND", "That webhook does not exist (any more).");
  return hook;
}

export async function listWebhooks(db: Db, orgId: string) {
  const [hooks, head] = await Promise.all([
    db.auditWebhook.findMany({
      where: { orgId },
      orderBy: { createdAt: "asc" },
      include: { deliveries: { orderBy: { createdAt: "desc" }, take: 10 } },
    }),
    headSeq(db, orgId),
  ]);
  return hooks.map(({ secretSealed: _sealed, cursorSeq, ...hook }) => ({
    ...hook,
    cursorSeq,
    /** Events recorded but not yet acknowledged by the endpoint. */
    pending: Math.max(0, head - cursorSeq),
  }));
}

export async function createWebhook(
  db: Db,
  acting: Acting,
  orgId: string,
  input: CreateWebhookInput,
  request: AuditRequest,
) {
  checkEndpoint(input.url);
  const secret = newWebhookSecret();
  const hook = await db.$transaction(async (tx) => {
    if ((await tx.auditWebhook.count({ where: { orgId } })) >= maxWebhooksPerOrg)
      throw new DomainError(
        "CONFLICT",
        `An organisation can have at most ${maxWebhooksPerOrg} webhooks.`,
      );
    // A new endpoint receives what happens from now on, starting with its own creation.
    const created = await tx.auditWebhook.create({
      data: {
        orgId,
        url: input.url,
        description: input.description,
        secretSealed: seal(secret),
        cursorSeq: await headSeq(tx, orgId),
      },
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "audit.webhook_created",
      target: { type: "webhook", id: created.id, name: created.url },
      request,
      metadata: { url: created.url, description: created.description },
    });
    return created;
  });
  return { id: hook.id, url: hook.url, secret };
}

export async function updateWebhook(
  db: Db,
  acting: Acting,
  orgId: string,
  input: UpdateWebhookInput,
  request: AuditRequest,
) {
  if (input.url) checkEndpoint(input.url);
  await db.$transaction(async (tx) => {
    const before = await findWebhook(tx, orgId, input.webhookId);
    const after = await tx.auditWebhook.update({
      where: { id: before.id },
      data: {
        ...(input.enabled !== undefined && { enabled: input.enabled }),
        ...(input.url !== undefined && { url: input.url }),
        ...(input.description !== undefined && { description: input.description }),
      },
    });
    const pick = (h: typeof before) => ({
      url: h.url,
      description: h.description,
      enabled: h.enabled,
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "audit.webhook_updated",
      target: { type: "webhook", id: after.id, name: after.url },
      request,
      metadata: { before: pick(before), after: pick(after) },
    });
  });
}

export async function rotateWebhookSecret(
  db: Db,
  acting: Acting,
  orgId: string,
  webhookId: string,
  request: AuditRequest,
) {
  const secret = newWebhookSecret();
  await db.$transaction(async (tx) => {
    const hook = await findWebhook(tx, orgId, webhookId);
    await tx.auditWebhook.update({ where: { id: hook.id }, data: { secretSealed: seal(secret) } });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "audit.webhook_secret_rotated",
      target: { type: "webhook", id: hook.id, name: hook.url },
      request,
    });
  });
  return { secret };
}

export async function deleteWebhook(
  db: Db,
  acting: Acting,
  orgId: string,
  webhookId: string,
  request: AuditRequest,
) {
  await db.$transaction(async (tx) => {
    const hook = await findWebhook(tx, orgId, webhookId);
    await tx.auditWebhook.delete({ where: { id: hook.id } });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "audit.webhook_deleted",
      target: { type: "webhook", id: hook.id, name: hook.url },
      request,
      metadata: { url: hook.url, acknowledgedThroughSeq: hook.cursorSeq },
    });
  });
}

export async function setRetention(
  db: Db,
  acting: Acting,
  orgId: string,
  retentionDays: number | null,
  request: AuditRequest,
) {
  await db.$transaction(async (tx) => {
    const before = await tx.organization.findUniqueOrThrow({
      where: { id: orgId },
      select: { auditRetentionDays: true },
    });
    await tx.organization.update({
      where: { id: orgId },
      data: { auditRetentionDays: retentionDays },
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "audit.retention_changed",
      target: { type: "organization", id: orgId },
      request,
      metadata: {
        before: { retentionDays: before.auditRetentionDays ?? "forever" },
        after: { retentionDays: retentionDays ?? "forever" },
      },
    });
  });
}
