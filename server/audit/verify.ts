// Re-computing audit chains: every event must follow the one before it (no gaps), point at
// its hash, and hash to what it stores. The first break is reported with what was expected
// and what was found.
import type { Db } from "../db/client.ts";
import { eventHash, genesisHash } from "./chain.ts";

export interface ChainBreak {
  eventId: string;
  seq: number;
  problem: "missing or reordered events" | "link to the previous event" | "event content";
  expected: string;
  found: string;
}

export interface ChainReport {
  chain: string;
  checked: number;
  /** Events recorded before chaining existed (development databases only). */
  unchained: number;
  ok: boolean;
  broken?: ChainBreak;
}

const batch = 2000;

export async function verifyChain(db: Db, chain: string): Promise<ChainReport> {
  let prevHash = genesisHash;
  let expectedSeq = 1;
  let checked = 0;
  const unchained = await db.auditEvent.count({ where: { chain, seq: null } });
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
    if (events.length < batch) return { chain, checked, unchained, ok: true };
  }
}

export async function verifyAllChains(db: Db): Promise<ChainReport[]> {
  const chains = await db.auditEvent.findMany({
    distinct: ["chain"],
    select: { chain: true },
    orderBy: { chain: "asc" },
  });
  const reports: ChainReport[] = [];
  for (const { chain } of chains) reports.push(await verifyChain(db, chain));
  return reports;
}
