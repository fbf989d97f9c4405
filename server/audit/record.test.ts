import { describe, expect, it } from "vitest";
import { connectTestDb, makeOrg } from "../../test/db.ts";
import { recordAuditEvent } from "./record.ts";

const db = connectTestDb();
const actor = { type: "SYSTEM" as const, name: "test" };

describe("audit events", () => {
  it("commit together with the action they describe", async () => {
    const org = await makeOrg(db);
    await db.$transaction(async (tx) => {
      await tx.organization.update({ where: { id: org.id }, data: { name: "Renamed" } });
      await recordAuditEvent(tx, {
        orgId: org.id,
        actor,
        action: "org.created",
        metadata: { n: 1 },
      });
    });
    const events = await db.auditEvent.findMany({ where: { orgId: org.id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: "org.created",
      outcome: "SUCCESS",
      actorType: "SYSTEM",
      metadata: { n: 1 },
    });
  });

  it("roll back when the action fails", async () => {
    const org = await makeOrg(db);
    await expect(
      db.$transaction(async (tx) => {
        await recordAuditEvent(tx, { orgId: org.id, actor, action: "org.created" });
        throw new Error("action failed after its event was written");
      }),
    ).rejects.toThrow("action failed");
    expect(await db.auditEvent.count({ where: { orgId: org.id } })).toBe(0);
  });

  it("make the action fail when the event cannot be written", async () => {
    const org = await makeOrg(db);
    await expect(
      db.$transaction(async (tx) => {
        await tx.organization.update({ where: { id: org.id }, data: { name: "Should not stick" } });
        await recordAuditEvent(tx, { orgId: "no-such-org", actor, action: "org.created" });
      }),
    ).rejects.toThrow();
    expect((await db.organization.findUniqueOrThrow({ where: { id: org.id } })).name).toBe(
      org.name,
    );
  });
});
