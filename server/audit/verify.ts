// Re-computing audit chains: every event must follow the one before it (no gaps), point at
// its hash, and hash to what it stores. The first break is reported with what was expected
// and what was found.
import type { Db } from "../db/client.ts";
import { eventHash, genesisHash } from "./chain.ts";
import { checkpointSignatureValid } from "./checkpoint.ts";

export interface ChainBreak {
  eventId: string;
  seq: number;
  problem:
    | "missing or reordered events"
    | "link to the previous event"
    | "event content"
    | "checkpoint signature";
  expected: string;
  found: string;
}

export interface ChainReport {
  chain: string;
  checked: number;
  /** Events recorded before chaining existed (development databases only). */
  unchained: number;
  /** Where verification started: after the last retention checkpoint, if any. */
  fromSeq: number;
  ok: boolean;
  broken?: ChainBreak;
}

const batch = 2000;

export async function verifyChain(db: Db, chain: string): Promise<ChainReport> {
  let prevHash = genesisHash;
  let expectedSeq = 1;
  let checked = 0;
  const unchained = await db.auditEvent.count({ where: { chain, seq: null } });
  // Retention purges leave signed checkpoints; the chain continues from the newest one.
  const checkpoints = await db.auditCheckpoint.findMany({
    where: { chain },
    orderBy: { throughSeq: "asc" },
  });
  for (const c of checkpoints) {
    if (!checkpointSignatureValid(c)) {
      return {
        chain,
        checked,
        unchained,
        fromSeq: c.throughSeq + 1,
        ok: false,
        broken: {
          eventId: c.id,
          seq: c.throughSeq,
          problem: "checkpoint signature",
          expected: "a checkpoint signed with this deployment's key",
          found: `signature ${c.signature.slice(0, 16)}…`,
        },
      };
    }
    prevHash = c.throughHash;
    expectedSeq = c.throughSeq + 1;
  }
  const fromSeq = expectedSeq;
  for (;;) {
    const events = await db.auditEvent.findMany({
      where: { chain, seq: { gte: expectedSeq } },
      orderBy: { seq: "asc" },
      take: batch,
    });
    for (const e of events) {
      const seq = e.seq ?? 0;
      const fail = (
        problem: ChainBreak["problem"],
        expected: string,
        found: string,
      ): ChainReport => ({
        chain,
        checked,
        unchained,
        fromSeq,
        ok: false,
        broken: { eventId: e.id, seq, problem, expected, found },
      });
      if (seq !== expectedSeq)
        return fail("missing or reordered events", `seq ${expectedSeq}`, `seq ${seq}`);
      if (e.prevHash !== prevHash)
        return fail("link to the previous event", prevHash, e.prevHash ?? "none");
      const recomputed = eventHash(prevHash, { ...e, seq });
      if (recomputed !== e.hash) return fail("event content", recomputed, e.hash ?? "none");
      prevHash = recomputed;
      expectedSeq += 1;
      checked += 1;
    }
    if (events.length < batch) return { chain, checked, unchained, fromSeq, ok: true };
  }
}

export async function verifyAllChains(db: Db): Promise<ChainReport[]> {
  const rows = await db.$queryRaw<{ chain: string }[]>`
    SELECT DISTINCT chain FROM "AuditEvent"
    UNION SELECT DISTINCT chain FROM "AuditCheckpoint" ORDER BY chain`;
  const reports: ChainReport[] = [];
  for (const { chain } of rows) reports.push(await verifyChain(db, chain));
  return reports;
}
