import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { connectTestDb, makeOrg } from "../../test/db.ts";
import { signCheckpoint } from "./checkpoint.ts";
import { type AuditEventInput, appendAuditEvents } from "./record.ts";
import { purgeAllExpiredEvents, purgeExpiredEvents } from "./retention.ts";
import { verifyChain } from "./verify.ts";

const db = connectTestDb();
const day = 86_400_000;
const now = new Date();

/** An organisation keeping `retentionDays`, with events that happened `ages` days ago. */
async function orgWithHistory(retentionDays: number, ages: number[]) {
  const org = await makeOrg(db);
  await db.organization.update({
    where: { id: org.id },
    data: { auditRetentionDays: retentionDays },
  });
  const events: AuditEventInput[] = ages.map((age, i) => ({
    orgId: org.id,
    actor: { type: "SYSTEM", name: "history" },
    action: "org.updated",
    occurredAt: new Date(now.getTime() - age * day),
    metadata: { i },
  }));
  await db.$transaction((tx) => appendAuditEvents(tx, events));
  return org;
}

describe("audit retention", () => {
  it("purges events past the window behind a signed checkpoint, and the rest still verifies", async () => {
    const org = await orgWithHistory(30, [90, 60, 31, 29, 1, 0]);
    const results = await purgeAllExpiredEvents(db, now);
    expect(results.find((r) => r.orgId === org.id)).toEqual({
      orgId: org.id,
      purged: 3,
      throughSeq: 3,
    });
    const left = await db.auditEvent.findMany({
      where: { chain: org.id },
      orderBy: { seq: "asc" },
    });
    expect(left.map((e) => [e.seq, e.action])).toEqual([
      [4, "org.updated"],
      [5, "org.updated"],
      [6, "org.updated"],
      [7, "audit.purged"],
    ]);
    const checkpoint = await db.auditCheckpoint.findFirstOrThrow({ where: { chain: org.id } });
    expect(checkpoint).toMatchObject({ throughSeq: 3, purgedCount: 3 });
    expect(left[0]?.prevHash).toBe(checkpoint.throughHash);
    expect(await verifyChain(db, org.id)).toMatchObject({ ok: true, checked: 4, fromSeq: 4 });

    // A second run finds nothing new to purge.
    expect((await purgeAllExpiredEvents(db, now)).find((r) => r.orgId === org.id)?.purged).toBe(0);
  });

  it("keeps the chain going when every event was purged", async () => {
    const org = await orgWithHistory(7, [30, 20]);
    await purgeExpiredEvents(db, { id: org.id, auditRetentionDays: 7 }, now);
    // Only the purge's own event is left; purge again far in the future to remove it too.
    const later = new Date(now.getTime() + 30 * day);
    await purgeExpiredEvents(db, { id: org.id, auditRetentionDays: 7 }, later);
    await db.$transaction((tx) =>
      appendAuditEvents(tx, [
        { orgId: org.id, actor: { type: "SYSTEM", name: "x" }, action: "org.updated" },
      ]),
    );
    const report = await verifyChain(db, org.id);
    expect(report).toMatchObject({ ok: true, fromSeq: 4 });
  });

  it("still refuses to delete events no checkpoint covers", async () => {
    const org = await orgWithHistory(30, [60, 1]);
    await purgeExpiredEvents(db, { id: org.id, auditRetentionDays: 30 }, now);
    await expect(db.$executeRaw`DELETE FROM "AuditEvent" WHERE chain = ${org.id}`).rejects.toThrow(
      /append-only: DELETE refused/,
    );
    await expect(
      db.$executeRaw`DELETE FROM "AuditCheckpoint" WHERE chain = ${org.id}`,
    ).rejects.toThrow(/append-only: DELETE refused/);
  });

  it("catches a checkpoint forged to hide deleted events", async () => {
    const org = await orgWithHistory(365, [3, 2, 1]);
    const events = await db.auditEvent.findMany({
      where: { chain: org.id },
      orderBy: { seq: "asc" },
    });
    // Someone with SQL access but not the deployment's key covers events 1–2 and deletes them.
    const forged = {
      chain: org.id,
      throughSeq: 2,
      throughHash: events[1]?.hash ?? "",
      purgedCount: 2,
      createdAt: new Date(),
    };
    await db.auditCheckpoint.create({
      data: { ...forged, signature: signCheckpoint(forged, randomBytes(32)) },
    });
    await db.$executeRaw`DELETE FROM "AuditEvent" WHERE chain = ${org.id} AND seq <= 2`;
    expect((await verifyChain(db, org.id)).broken).toMatchObject({
      problem: "checkpoint signature",
      seq: 2,
    });
  });
});

describe("retention and webhooks", () => {
  it("keeps events an enabled webhook has not acknowledged yet", async () => {
    const org = await orgWithHistory(30, [90, 80, 70, 60]);
    // The endpoint acknowledged only the first two.
    await db.auditWebhook.create({
      data: { orgId: org.id, url: "https://siem.example/", secretSealed: "v1.x.y.z", cursorSeq: 2 },
    });
    expect(await purgeExpiredEvents(db, { id: org.id, auditRetentionDays: 30 }, now)).toMatchObject(
      {
        purged: 2,
        throughSeq: 2,
      },
    );
    expect(await verifyChain(db, org.id)).toMatchObject({ ok: true, fromSeq: 3 });
  });
});

describe("batched appends", () => {
  it("keep every chain unbroken under concurrent batches over many organisations", async () => {
    const orgs = await Promise.all(Array.from({ length: 5 }, () => makeOrg(db)));
    const batch = (b: number): AuditEventInput[] =>
      Array.from({ length: 60 }, (_, i) => ({
        orgId: i % 6 === 5 ? null : orgs[i % 5]?.id,
        actor: { type: "WORKER", id: "w1", name: "worker" },
        action: "worker.registered",
        metadata: { b, i },
      }));
    await Promise.all(
      Array.from({ length: 10 }, (_, b) =>
        db.$transaction((tx) => appendAuditEvents(tx, batch(b))),
      ),
    );
    for (const org of orgs) {
      const report = await verifyChain(db, org.id);
      expect(report).toMatchObject({ ok: true, checked: 100 });
      // Within a batch, events keep the order they were given in.
      const events = await db.auditEvent.findMany({
        where: { chain: org.id },
        orderBy: { seq: "asc" },
      });
      const byBatch = new Map<number, number[]>();
      for (const e of events) {
        const { b, i } = e.metadata as { b: number; i: number };
        byBatch.set(b, [...(byBatch.get(b) ?? []), i]);
      }
      for (const order of byBatch.values()) expect(order).toEqual([...order].sort((x, y) => x - y));
    }
    expect((await verifyChain(db, "platform")).ok).toBe(true);
  });
});
