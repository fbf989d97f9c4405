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

/** Events deleted per transaction: the chain's lock is held only this long at a time. */
const purgeBatch = 50_000;

export async function purgeExpiredEvents(
  db: Db,
  org: { id: string; auditRetentionDays: number },
  now = new Date(),
): Promise<PurgeResult> {
  const cutoff = new Date(now.getTime() - org.auditRetentionDays * day);
  let purged = 0;
  let throughSeq: number | undefined;
  // Never past where the chain ended when this run began: each batch records itself.
  const head = await db.auditEvent.findFirst({
    where: { chain: org.id, seq: { not: null } },
    orderBy: { seq: "desc" },
    select: { seq: true },
  });
  if (!head?.seq) return { orgId: org.id, purged: 0 };
  for (;;) {
    const batch = await purgeBatchOf(db, org, cutoff, now, head.seq);
    if (!batch) break;
    purged += batch.purged;
    throughSeq = batch.throughSeq;
  }
  return { orgId: org.id, purged, ...(throughSeq !== undefined && { throughSeq }) };
}

/** One bounded batch: checkpoint, delete, record. Null when nothing (more) may go. */
async function purgeBatchOf(
  db: Db,
  org: { id: string; auditRetentionDays: number },
  cutoff: Date,
  now: Date,
  headSeq: number,
): Promise<{ purged: number; throughSeq: number } | null> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`audit:${org.id}`}, 0))`;
      const first = await tx.auditEvent.findFirst({
        where: { chain: org.id, seq: { not: null } },
        orderBy: { seq: "asc" },
        select: { seq: true },
      });
      if (!first?.seq) return null;
      // Events an enabled webhook has not acknowledged yet are kept: at least once means
      // a long outage of the endpoint must not lose them.
      const { _min } = await tx.auditWebhook.aggregate({
        where: { orgId: org.id, enabled: true },
        _min: { cursorSeq: true },
      });
      const limit = Math.min(
        first.seq + purgeBatch - 1,
        headSeq,
        _min.cursorSeq ?? Number.MAX_SAFE_INTEGER,
      );
      // Sequence order is the chain's order; purge up to the newest event past the cutoff.
      const last = await tx.auditEvent.findFirst({
        where: { chain: org.id, seq: { not: null, lte: limit }, occurredAt: { lt: cutoff } },
        orderBy: { seq: "desc" },
        select: { seq: true, hash: true },
      });
      if (!last?.seq || !last.hash) return null;
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
      return { purged: purgedCount, throughSeq: last.seq };
    },
    { timeout: 120_000 },
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
    await purgeFinishedTasks(db, { id: org.id, auditRetentionDays: org.auditRetentionDays }, now);
  }
  return results;
}

/**
 * Task transcripts follow the same window: finished tasks older than it go, with their
 * events and inputs (the audit log keeps their state changes until it is purged too).
 */
export async function purgeFinishedTasks(
  db: Db,
  org: { id: string; auditRetentionDays: number },
  now = new Date(),
): Promise<number> {
  const cutoff = new Date(now.getTime() - org.auditRetentionDays * day);
  const { count } = await db.task.deleteMany({
    where: { orgId: org.id, finishedAt: { lt: cutoff } },
  });
  return count;
}
