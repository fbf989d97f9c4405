// Retention: events older than an organisation's window are deleted, oldest first, behind a
// signed checkpoint that says where the chain now starts. The append-only trigger lets a
// row go only when such a checkpoint covers it, and the purge is itself an audit event.
import type { Db } from "../db/client.ts";
import { signCheckpoint } from "./checkpoint.ts";
import { recordAuditEvent } from "./record.ts";

export interface PurgeResult {
  orgId: string;
  purged: number;
  throughSeq?: number;
}

const day = 86_400_000;

export async function purgeExpiredEvents(
  db: Db,
  org: { id: string; auditRetentionDays: number },
  now = new Date(),
): Promise<PurgeResult> {
  const cutoff = new Date(now.getTime() - org.auditRetentionDays * day);
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`audit:${org.id}`}, 0))`;
      // Sequence order is the chain's order; purge up to the newest event past the cutoff.
      const last = await tx.auditEvent.findFirst({
        where: { chain: org.id, seq: { not: null }, occurredAt: { lt: cutoff } },
        orderBy: { seq: "desc" },
        select: { seq: true, hash: true },
      });
      if (!last?.seq || !last.hash) return { orgId: org.id, purged: 0 };
      const purgedCount = await tx.auditEvent.count({
        where: { chain: org.id, seq: { lte: last.seq } },
      });
      const checkpoint = {
        chain: org.id,
        throughSeq: last.seq,
        throughHash: last.hash,
        purgedCount,
        createdAt: now,
      };
      await tx.auditCheckpoint.create({
        data: { ...checkpoint, signature: signCheckpoint(checkpoint) },
      });
      await tx.auditEvent.deleteMany({ where: { chain: org.id, seq: { lte: last.seq } } });
      await recordAuditEvent(tx, {
        orgId: org.id,
        actor: { type: "SYSTEM", name: "Retention" },
        action: "audit.purged",
        metadata: {
          throughSeq: last.seq,
          purged: purgedCount,
          cutoff: cutoff.toISOString(),
          retentionDays: org.auditRetentionDays,
        },
      });
      return { orgId: org.id, purged: purgedCount, throughSeq: last.seq };
    },
    { timeout: 300_000 },
  );
}

/** The scheduled job: every organisation that has a retention window. */
export async function purgeAllExpiredEvents(db: Db, now = new Date()): Promise<PurgeResult[]> {
  const orgs = await db.organization.findMany({
    where: { auditRetentionDays: { not: null } },
    select: { id: true, auditRetentionDays: true },
  });
  const results: PurgeResult[] = [];
  for (const org of orgs) {
    if (org.auditRetentionDays === null) continue;
    results.push(
      await purgeExpiredEvents(db, { id: org.id, auditRetentionDays: org.auditRetentionDays }, now),
    );
  }
  return results;
}
