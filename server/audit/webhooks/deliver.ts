// Delivering an organisation's audit events to one webhook: the events after the webhook's
// cursor, in order, in batches. The cursor moves only when the endpoint says 2xx, so every
// event arrives at least once; receivers drop repeats by event id. A failed attempt is
// recorded and thrown, so the job queue retries it with backoff.
import { webConfig } from "../../core/config.ts";
import { unseal } from "../../crypto/secret-box.ts";
import type { Db } from "../../db/client.ts";
import type { AuditEvent } from "../../db/generated/client.ts";
import { postJson } from "./outbound.ts";
import { signatureHeader, signDelivery } from "./signature.ts";

export const deliveryBatchSize = 100;
/** Batches one job sends before handing over, so one busy webhook cannot hog a runner. */
const batchesPerRun = 20;

export class DeliveryFailed extends Error {}

/** An event as receivers see it. */
export function webhookEvent(e: AuditEvent) {
  return {
    id: e.id,
    seq: e.seq,
    occurredAt: e.occurredAt.toISOString(),
    actor: { type: e.actorType, id: e.actorId, name: e.actorName },
    action: e.action,
    target: e.targetType ? { type: e.targetType, id: e.targetId, name: e.targetName } : null,
    outcome: e.outcome,
    request: { ipAddress: e.ipAddress, userAgent: e.userAgent, requestId: e.requestId },
    metadata: e.metadata,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

export interface DeliveryRun {
  delivered: number;
  /** More events were waiting when this run stopped. */
  more: boolean;
}

export async function deliverWebhook(
  db: Db,
  webhookId: string,
  attempt = 1,
  options: { allowInternal?: boolean } = {},
): Promise<DeliveryRun> {
  const allowInternal = options.allowInternal ?? webConfig().CORRAL_WEBHOOK_ALLOW_PRIVATE;
  let delivered = 0;
  for (let run = 0; run < batchesPerRun; run++) {
    const hook = await db.auditWebhook.findUnique({
      where: { id: webhookId },
      include: { org: { select: { slug: true } } },
    });
    if (!hook?.enabled) return { delivered, more: false };
    const events = await db.auditEvent.findMany({
      where: { chain: hook.orgId, seq: { gt: hook.cursorSeq } },
      orderBy: { seq: "asc" },
      take: deliveryBatchSize,
    });
    const first = events[0];
    const last = events.at(-1);
    if (!first?.seq || !last?.seq) return { delivered, more: false };

    const body = JSON.stringify({
      webhookId: hook.id,
      organization: { id: hook.orgId, slug: hook.org.slug },
      events: events.map(webhookEvent),
    });
    const result = await postJson(
      hook.url,
      body,
      {
        "content-type": "application/json",
        "user-agent": "Corral-Webhooks/1",
        "corral-webhook-id": hook.id,
        [signatureHeader]: signDelivery(unseal(hook.secretSealed), body),
      },
      { allowInternal },
    );
    const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
    const now = new Date();
    await db.$transaction([
      db.auditWebhookDelivery.create({
        data: {
          webhookId,
          firstSeq: first.seq,
          lastSeq: last.seq,
          eventCount: events.length,
          attempt,
          outcome: ok ? "SUCCEEDED" : "FAILED",
          httpStatus: result.status ?? null,
          error: ok ? null : (result.error ?? `the endpoint answered HTTP ${result.status}`),
          durationMs: result.durationMs,
        },
      }),
      // Moves only forward from where this batch started: a concurrent run cannot rewind it.
      ok
        ? db.auditWebhook.updateMany({
            where: { id: webhookId, cursorSeq: hook.cursorSeq },
            data: { cursorSeq: last.seq, consecutiveFailures: 0, lastSuccessAt: now },
          })
        : db.auditWebhook.updateMany({
            where: { id: webhookId },
            data: { consecutiveFailures: { increment: 1 }, lastFailureAt: now },
          }),
    ]);
    if (!ok) {
      throw new DeliveryFailed(
        `webhook ${webhookId}: ${result.error ?? `HTTP ${result.status}`} (events ${first.seq}–${last.seq})`,
      );
    }
    delivered += events.length;
    if (events.length < deliveryBatchSize) return { delivered, more: false };
  }
  return { delivered, more: true };
}

/** Webhooks with events past their cursor: what the sweep hands to the queue. */
export async function webhooksBehind(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT w.id FROM "AuditWebhook" w
    WHERE w.enabled AND EXISTS (
      SELECT 1 FROM "AuditEvent" e WHERE e.chain = w."orgId" AND e.seq > w."cursorSeq"
    )`;
  return rows.map((r) => r.id);
}
