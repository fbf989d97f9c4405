import { describe, expect, it } from "vitest";
import { connectTestDb, makeOrg } from "../../test/db.ts";
import { recordAuditEvent } from "./record.ts";
import { verifyChain } from "./verify.ts";

const db = connectTestDb();
const actor = { type: "SYSTEM" as const, name: "test" };

/** An organisation whose chain holds `n` events, with their ids in order. */
async function chainOf(n: number) {
  const org = await makeOrg(db);
  for (let i = 0; i < n; i++) {
    await db.$transaction((tx) =>
      recordAuditEvent(tx, {
        orgId: org.id,
        actor,
        action: "org.updated",
        metadata: { i, nested: { b: 1, a: [2, 3] } },
      }),
    );
  }
  const events = await db.auditEvent.findMany({
    where: { chain: org.id },
    orderBy: { seq: "asc" },
  });
  return { chain: org.id, ids: events.map((e) => e.id) };
}

/**
 * Runs SQL as a database owner who switched the append-only trigger off. The application's
 * role cannot (it owns no table), so the transaction drops back to the session's own role.
 */
async function tamper(sql: string, ...values: unknown[]) {
  await db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe("SET LOCAL ROLE NONE");
    await tx.$executeRawUnsafe(`ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_append_only"`);
    await tx.$executeRawUnsafe(sql, ...values);
    await tx.$executeRawUnsafe(`ALTER TABLE "AuditEvent" ENABLE TRIGGER "AuditEvent_append_only"`);
  });
}

describe("the audit hash chain", () => {
  it("links every event to the one before, and verifies", async () => {
    const { chain, ids } = await chainOf(5);
    const events = await db.auditEvent.findMany({ where: { chain }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(events[0]?.prevHash).toBe("0".repeat(64));
    for (let i = 1; i < events.length; i++) expect(events[i]?.prevHash).toBe(events[i - 1]?.hash);
    expect(await verifyChain(db, chain)).toEqual({
      chain,
      checked: 5,
      unchained: 0,
      fromSeq: 1,
      ok: true,
    });
    expect(ids).toHaveLength(5);
  });

  it("never forks under 20 concurrent writers", async () => {
    const org = await makeOrg(db);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.$transaction((tx) =>
          recordAuditEvent(tx, { orgId: org.id, actor, action: "org.updated", metadata: { i } }),
        ),
      ),
    );
    const report = await verifyChain(db, org.id);
    expect(report).toMatchObject({ ok: true, checked: 20 });
  });

  it("refuses UPDATE, DELETE and TRUNCATE by SQL", async () => {
    const { chain } = await chainOf(1);
    await expect(
      db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorName" = 'x' WHERE chain = $1`, chain),
    ).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(
      db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE chain = $1`, chain),
    ).rejects.toThrow(/append-only: DELETE refused/);
    await expect(db.$executeRawUnsafe(`TRUNCATE "AuditEvent"`)).rejects.toThrow(
      /append-only: TRUNCATE refused/,
    );
  });

  it("detects an edited event, at that event", async () => {
    const { chain, ids } = await chainOf(4);
    await tamper(`UPDATE "AuditEvent" SET "actorName" = 'someone else' WHERE id = $1`, ids[2]);
    expect((await verifyChain(db, chain)).broken).toMatchObject({
      eventId: ids[2],
      seq: 3,
      problem: "event content",
    });
  });

  it("detects an edited JSON detail", async () => {
    const { chain, ids } = await chainOf(3);
    await tamper(
      `UPDATE "AuditEvent" SET metadata = jsonb_set(metadata, '{i}', '99') WHERE id = $1`,
      ids[1],
    );
    expect((await verifyChain(db, chain)).broken).toMatchObject({
      eventId: ids[1],
      problem: "event content",
    });
  });

  it("detects a deleted event, at the event after the gap", async () => {
    const { chain, ids } = await chainOf(4);
    await tamper(`DELETE FROM "AuditEvent" WHERE id = $1`, ids[1]);
    expect((await verifyChain(db, chain)).broken).toMatchObject({
      eventId: ids[2],
      problem: "missing or reordered events",
      expected: "seq 2",
      found: "seq 3",
    });
  });

  it("detects a forged event appended with a made-up hash", async () => {
    const { chain, ids } = await chainOf(2);
    const last = await db.auditEvent.findUniqueOrThrow({ where: { id: ids[1] } });
    await tamper(
      `INSERT INTO "AuditEvent" (id, chain, seq, "prevHash", hash, "orgId", "occurredAt", "actorType", "actorName", action, outcome, metadata)
       VALUES ('forged', $1, 3, $2, $3, $1, now(), 'USER', 'mallory', 'member.added', 'SUCCESS', '{}')`,
      chain,
      last.hash,
      "f".repeat(64),
    );
    expect((await verifyChain(db, chain)).broken).toMatchObject({
      eventId: "forged",
      seq: 3,
      problem: "event content",
    });
  });

  it("detects reordered events, at the first one out of place", async () => {
    const { chain, ids } = await chainOf(4);
    // Swap positions 2 and 3 (through -1: (chain, seq) is unique at every step).
    await tamper(`UPDATE "AuditEvent" SET seq = -1 WHERE id = $1`, ids[1]);
    await tamper(`UPDATE "AuditEvent" SET seq = 2 WHERE id = $1`, ids[2]);
    await tamper(`UPDATE "AuditEvent" SET seq = 3 WHERE id = $1`, ids[1]);
    expect((await verifyChain(db, chain)).broken).toMatchObject({
      eventId: ids[2],
      seq: 2,
      problem: "link to the previous event",
    });
  });
});
